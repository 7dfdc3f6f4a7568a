using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Tests.Unit;

public sealed class DomainEventsTests
{
    private sealed record Happened(string What);

    private sealed record Unrelated(int Value);

    private sealed class Journal
    {
        public List<string> Entries { get; } = [];
    }

    private sealed class First(Journal journal) : IDomainEventHandler<Happened>
    {
        public async Task HandleAsync(Happened domainEvent, CancellationToken ct)
        {
            await Task.Yield();
            journal.Entries.Add("first " + domainEvent.What);
        }
    }

    private sealed class Throwing(Journal journal) : IDomainEventHandler<Happened>
    {
        public Task HandleAsync(Happened domainEvent, CancellationToken ct)
        {
            journal.Entries.Add("throwing " + domainEvent.What);
            throw new InvalidOperationException("subscriber broke");
        }
    }

    private sealed class Last(Journal journal) : IDomainEventHandler<Happened>
    {
        public Task HandleAsync(Happened domainEvent, CancellationToken ct)
        {
            journal.Entries.Add("last " + domainEvent.What);
            return Task.CompletedTask;
        }
    }

    private sealed class Counting : IDomainEventHandler<Happened>
    {
        public int Count { get; private set; }

        public Task HandleAsync(Happened domainEvent, CancellationToken ct)
        {
            Count++;
            return Task.CompletedTask;
        }
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public List<(LogLevel Level, Exception? Error)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Recorder(this);

        public void Dispose()
        {
        }

        private sealed class Recorder(RecordingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries)
                {
                    owner.Entries.Add((logLevel, exception));
                }
            }
        }
    }

    private static (ServiceProvider Services, Journal Journal, RecordingLoggerProvider Log) Build(Action<IServiceCollection> handlers)
    {
        var log = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(log));
        services.AddSingleton<Journal>();
        services.AddSingleton<DomainEvents>();
        handlers(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return (provider, provider.GetRequiredService<Journal>(), log);
    }

    [Fact]
    public async Task Handlers_run_in_registration_order_and_have_all_run_when_publish_returns()
    {
        var (services, journal, _) = Build(s => s
            .AddSingleton<Last>().AddSingleton<First>()
            .AddDomainEventHandler<Happened, First>()
            .AddDomainEventHandler<Happened, Last>());
        await using var _s = services;

        await services.GetRequiredService<DomainEvents>().PublishAsync(new Happened("a"));

        Assert.Equal(["first a", "last a"], journal.Entries);
    }

    [Fact]
    public async Task A_throwing_handler_is_logged_as_an_error_and_the_next_still_runs()
    {
        var (services, journal, log) = Build(s => s
            .AddSingleton<First>().AddSingleton<Throwing>().AddSingleton<Last>()
            .AddDomainEventHandler<Happened, First>()
            .AddDomainEventHandler<Happened, Throwing>()
            .AddDomainEventHandler<Happened, Last>());
        await using var _s = services;

        await services.GetRequiredService<DomainEvents>().PublishAsync(new Happened("b"));

        Assert.Equal(["first b", "throwing b", "last b"], journal.Entries);
        var error = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
        Assert.IsType<InvalidOperationException>(error.Error);
    }

    [Fact]
    public void Publishing_to_handlers_that_finish_at_once_allocates_nothing()
    {
        // Every sent message raises MessageCreated: beyond the event record the caller creates, the publisher must
        // cost no allocation (no handler list, no enumerator, no task) when the handlers complete synchronously.
        var (services, _, _) = Build(s => s
            .AddSingleton<Counting>()
            .AddDomainEventHandler<Happened, Counting>()
            .AddDomainEventHandler<Happened, Counting>());
        using var _s = services;
        var events = services.GetRequiredService<DomainEvents>();
        var counting = services.GetRequiredService<Counting>();
        var happened = new Happened("hot");
        for (var i = 0; i < 10; i++)
        {
            Assert.True(events.PublishAsync(happened).IsCompletedSuccessfully);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            if (!events.PublishAsync(happened).IsCompletedSuccessfully)
            {
                Assert.Fail("A publish to synchronous handlers did not complete at once.");
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2 * 1010, counting.Count);
    }

    [Fact]
    public async Task An_event_reaches_only_its_own_handlers_and_one_without_handlers_is_fine()
    {
        var (services, journal, log) = Build(s => s.AddSingleton<First>().AddDomainEventHandler<Happened, First>());
        await using var _s = services;

        await services.GetRequiredService<DomainEvents>().PublishAsync(new Unrelated(1));

        Assert.Empty(journal.Entries);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }
}
