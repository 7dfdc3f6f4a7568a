using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Voxora.Server.Data;

namespace Voxora.Server.Features.Messages;

/// <summary>
/// Group commit for new messages: one writer loop saves everything queued meanwhile in one transaction,
/// and each sender's <see cref="SaveAsync"/> completes only after the transaction holding its message has
/// committed, so a message is durable before its POST is answered. Under load this turns N commits (and,
/// on SQLite, N writers queuing for the one write lock with busy-handler back-off) into one. The batch is one
/// multi-row INSERT whose columns and value conversions come from the EF model (<see cref="InsertPlan"/>), so
/// it stays in step with the entity on both providers without EF's per-entity change tracking.
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

            Infrastructure.Metrics.VoxoraMetrics.WriterBatchSize.Record(batch.Count);
            using (var activity = Infrastructure.Telemetry.Tracing.Source.StartActivity("messages.writer.batch"))
            {
                activity?.SetTag("voxora.batch_size", batch.Count);
                await SaveBatchAsync(batch);
            }

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
            await SaveAsync(batch.ConvertAll(p => p.Message));
            foreach (var pending in batch)
            {
                pending.Saved.SetResult();
            }

            return;
        }
        catch (DbException) when (batch.Count > 1)
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

    private async Task SaveAsync(IReadOnlyList<MessageEntity> messages)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var plan = InsertPlan.For(db.Model);
        // Opened through EF, so the connection gets the same per-connection setup (SQLite pragmas) as any other.
        await db.Database.OpenConnectionAsync(CancellationToken.None);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var command = connection.CreateCommand();
            plan.Fill(command, messages);

            // One statement, however many rows, is atomic on both providers: no explicit transaction, which on
            // PostgreSQL would cost two more round trips (BEGIN, COMMIT) per batch.
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// A multi-row INSERT for <see cref="MessageEntity"/> built from the EF model of one provider: table and
    /// column names, and each property's value converter (SQLite stores timestamps as Unix milliseconds).
    /// One plan per model, since SQLite and PostgreSQL models can live in one process.
    /// </summary>
    private sealed class InsertPlan
    {
        private static readonly ConditionalWeakTable<IModel, InsertPlan> Plans = [];

        private readonly string prefix;
        private readonly Func<MessageEntity, object>[] values;

        private InsertPlan(IModel model)
        {
            var entity = model.FindEntityType(typeof(MessageEntity)) ?? throw new InvalidOperationException("MessageEntity is not in the model.");
            var properties = entity.GetProperties().ToArray();
            prefix = $"INSERT INTO \"{entity.GetTableName()}\" ({string.Join(", ", properties.Select(p => $"\"{p.GetColumnName()}\""))}) VALUES ";
            values = properties.Select(Reader).ToArray();
        }

        public static InsertPlan For(IModel model) => Plans.GetValue(model, m => new InsertPlan(m));

        public void Fill(DbCommand command, IReadOnlyList<MessageEntity> messages)
        {
            var sql = new StringBuilder(prefix, prefix.Length + messages.Count * values.Length * 8);
            for (var row = 0; row < messages.Count; row++)
            {
                sql.Append(row == 0 ? "(" : ", (");
                for (var column = 0; column < values.Length; column++)
                {
                    var name = $"@p{row}_{column}";
                    sql.Append(column == 0 ? name : ", " + name);
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = values[column](messages[row]);
                    command.Parameters.Add(parameter);
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
        }

        private static Func<MessageEntity, object> Reader(IProperty property)
        {
            var getter = property.GetGetter();
            var converter = property.GetTypeMapping().Converter;
            return entity => getter.GetClrValue(entity) is { } value ? converter?.ConvertToProvider(value) ?? value : DBNull.Value;
        }
    }
}
