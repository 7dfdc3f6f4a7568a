using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;

namespace Voxora.Server.Features.Messages;

/// <summary>
/// Group commit for new messages: one writer loop saves everything queued meanwhile in one transaction,
/// and each sender's <see cref="SaveAsync"/> completes only after the transaction holding its message has
/// committed, so a message is durable before its POST is answered. Under load this turns N commits (and,
/// on SQLite, N writers queuing for the one write lock with busy-handler back-off) into one.
/// </summary>
public sealed class MessageWriter(IServiceScopeFactory scopes, ILogger<MessageWriter> logger) : BackgroundService
{
    // Large enough to amortize a commit, small enough that one transaction stays short.
    private const int MaxBatch = 256;

    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Pending(MessageEntity Message, TaskCompletionSource Saved);

    /// <summary>Saves the message; completes once it is committed, or throws what saving it threw.</summary>
    public Task SaveAsync(MessageEntity message)
    {
        // Continuations run off the writer loop, so the next batch is not held up by request code.
        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new Pending(message, saved)))
        {
            saved.SetException(new OperationCanceledException("The server is shutting down."));
        }

        return saved.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        // Not cancelled by stoppingToken: what was queued before shutdown is still saved (StopAsync completes the queue).
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await SaveBatchAsync(batch);
            batch.Clear();
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    private async Task SaveBatchAsync(List<Pending> batch)
    {
        try
        {
            await SaveAsync(batch.Select(p => p.Message));
            foreach (var pending in batch)
            {
                pending.Saved.SetResult();
            }

            return;
        }
        catch (DbUpdateException) when (batch.Count > 1)
        {
            // One bad row (say, its channel was deleted meanwhile) must not fail the others: retry one by one.
        }
        catch (Exception ex)
        {
            Fail(batch, ex);
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                await SaveAsync([pending.Message]);
                pending.Saved.SetResult();
            }
            catch (Exception ex)
            {
                pending.Saved.SetException(ex);
            }
        }
    }

    private void Fail(List<Pending> batch, Exception ex)
    {
        logger.LogError(ex, "Saving a batch of {Count} messages failed", batch.Count);
        foreach (var pending in batch)
        {
            pending.Saved.SetException(ex);
        }
    }

    private async Task SaveAsync(IEnumerable<MessageEntity> messages)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        db.Messages.AddRange(messages);
        // One SaveChanges = one transaction for all of them.
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
