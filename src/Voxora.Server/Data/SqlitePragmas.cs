using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Data;

/// <summary>
/// Per-connection SQLite settings: wait for a busy writer instead of failing (busy_timeout), enforce
/// foreign keys, and the configured <c>synchronous</c> level (FULL by default: in WAL mode, NORMAL may lose the last
/// commits on power loss or an OS crash, so a message answered 201 could vanish; FULL syncs the WAL on every commit,
/// and the message writer's group commit keeps that to one fsync per batch). They are properties of the physical SQLite
/// connection and survive its trips through Microsoft.Data.Sqlite's pool, so they are applied once per
/// native handle, not on every (pooled) open: EF opens a connection two or more times per request.
/// </summary>
/// <remarks>
/// Not moved into the connection string: there, <c>Foreign Keys=True</c> still runs a PRAGMA on every
/// open, and <c>Default Timeout</c> is not SQLite's busy handler but a managed retry loop with 150 ms
/// sleeps, which would change how writers wait on each other.
/// </remarks>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private static readonly SqlitePragmas Full = new("FULL");
    private static readonly SqlitePragmas Normal = new("NORMAL");
    private static readonly SqlitePragmas Extra = new("EXTRA");

    private readonly string pragmas;

    private SqlitePragmas(string synchronous) =>
        pragmas = $"PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA synchronous={synchronous};";

    public static SqlitePragmas For(SqliteSynchronousMode synchronous) => synchronous switch
    {
        SqliteSynchronousMode.Normal => Normal,
        SqliteSynchronousMode.Extra => Extra,
        _ => Full,
    };

    // Native handles already configured; weak, so a handle closed for good is forgotten with it.
    private readonly ConditionalWeakTable<object, object> configured = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (IsConfigured(connection, out var handle))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = pragmas;
        command.ExecuteNonQuery();
        MarkConfigured(handle);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (IsConfigured(connection, out var handle))
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        MarkConfigured(handle);
    }

    private bool IsConfigured(DbConnection connection, out object? handle)
    {
        handle = (connection as SqliteConnection)?.Handle;
        return handle is not null && configured.TryGetValue(handle, out _);
    }

    private void MarkConfigured(object? handle)
    {
        if (handle is not null)
        {
            configured.AddOrUpdate(handle, handle);
        }
    }
}
