using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Voxora.Protocol;

namespace Voxora.Server.Gateway;

/// <summary>
/// A feature's handler for one or more inbound gateway opcodes. Register it in DI as
/// <c>services.AddSingleton&lt;IGatewayOpHandler, MyOps&gt;()</c>; <see cref="GatewayOpRegistry"/> routes
/// the ops to it. It runs on the connection's read loop, after the frame size, inbound rate and JSON
/// checks: the next frame of that connection is read only when it returns.
/// </summary>
public interface IGatewayOpHandler
{
    /// <summary>The opcodes this handler serves. None may be a reserved op (<see cref="GatewayOpRegistry.ReservedOps"/>).</summary>
    IReadOnlyList<int> Ops { get; }

    /// <summary>
    /// When true, an op of this handler on a connection that has not identified (or resumed) closes it with
    /// <see cref="GatewayCloseCodes.NotAuthenticated"/> before the handler runs, so <see cref="GatewayOpContext.Session"/> is set.
    /// </summary>
    bool RequiresSession { get; }

    ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct);
}

/// <summary>
/// A feature's handler for one or more client commands: op 0 frames whose <c>t</c> names the command (e.g.
/// <c>{op: 0, t: "TYPING", d: {…}}</c>). Register it in DI as <c>services.AddSingleton&lt;IGatewayCommandHandler, MyCommands&gt;()</c>;
/// it runs like an <see cref="IGatewayOpHandler"/>, on the connection's read loop.
/// </summary>
public interface IGatewayCommandHandler
{
    /// <summary>The <c>t</c> values this handler serves (case-sensitive, as on the wire).</summary>
    IReadOnlyList<string> Commands { get; }

    /// <summary>As <see cref="IGatewayOpHandler.RequiresSession"/>.</summary>
    bool RequiresSession { get; }

    ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct);
}

/// <summary>The connection an op arrived on, and its session (null before IDENTIFY or RESUME).</summary>
public sealed record GatewayOpContext(GatewayConnection Connection, GatewaySession? Session)
{
    /// <summary>The session of a handler with <see cref="IGatewayOpHandler.RequiresSession"/> (the registry guarantees it).</summary>
    public GatewaySession IdentifiedSession => Session ?? throw new InvalidOperationException("this op was routed without an identified session");

    /// <summary>
    /// Decodes the frame's <c>d</c> object, or closes the connection with <see cref="GatewayCloseCodes.DecodeError"/>
    /// and <paramref name="reason"/> when it is missing, not an object, or does not match <typeparamref name="T"/>.
    /// </summary>
    public T? DecodeOrClose<T>(GatewayFrame frame, JsonTypeInfo<T> type, string reason) where T : class
    {
        var payload = GatewayOpRegistry.Decode(frame, type);
        if (payload is null)
        {
            Connection.Abort(GatewayCloseCodes.DecodeError, reason);
        }

        return payload;
    }
}

/// <summary>
/// Every <see cref="IGatewayOpHandler"/> registered in DI, by opcode. Built once at start-up, it refuses
/// two handlers for one op and handlers for the reserved ops, so a conflict stops the server instead of
/// silently routing an op to whichever handler came last.
/// </summary>
public sealed class GatewayOpRegistry
{
    /// <summary>
    /// Ops no feature may handle: the connection lifecycle <see cref="GatewayServer"/> owns (HEARTBEAT, IDENTIFY,
    /// RESUME) and the ops only the server sends (a client sending one gets the unknown-op answer).
    /// </summary>
    public static readonly FrozenSet<int> ReservedOps = new[]
    {
        GatewayOp.Dispatch, GatewayOp.Heartbeat, GatewayOp.Identify, GatewayOp.Resume, GatewayOp.VoiceServer,
        GatewayOp.HeartbeatAck, GatewayOp.Reconnect, GatewayOp.Hello, GatewayOp.InvalidSession,
    }.ToFrozenSet();

    /// <summary>Ops the server sends: one from an unidentified client closes 4003, from an identified one 4001.</summary>
    private static readonly FrozenSet<int> ServerToClientOps = new[]
    {
        GatewayOp.Dispatch, GatewayOp.VoiceServer, GatewayOp.HeartbeatAck, GatewayOp.Reconnect, GatewayOp.Hello, GatewayOp.InvalidSession,
    }.ToFrozenSet();

    /// <summary>Client ops the protocol defines; without a handler they are "not supported by this server".</summary>
    private static readonly FrozenSet<int> DefinedClientOps = new[]
    {
        GatewayOp.VoiceStateUpdate, GatewayOp.PresenceUpdate, GatewayOp.Subscribe, GatewayOp.Unsubscribe, GatewayOp.VoiceSignal,
    }.ToFrozenSet();

    private readonly FrozenDictionary<int, IGatewayOpHandler> handlers;
    private readonly FrozenDictionary<string, IGatewayCommandHandler> commandHandlers;

    public GatewayOpRegistry(IEnumerable<IGatewayOpHandler> registered, IEnumerable<IGatewayCommandHandler>? commands = null)
    {
        var byCommand = new Dictionary<string, IGatewayCommandHandler>(StringComparer.Ordinal);
        foreach (var handler in commands ?? [])
        {
            foreach (var command in handler.Commands)
            {
                if (string.IsNullOrEmpty(command))
                {
                    throw new InvalidOperationException($"{Name(handler)} registers an empty gateway command name.");
                }

                if (byCommand.TryGetValue(command, out var existing))
                {
                    throw new InvalidOperationException($"Gateway command {command} is registered by both {Name(existing)} and {Name(handler)}; one command has one handler.");
                }

                byCommand[command] = handler;
            }
        }

        commandHandlers = byCommand.ToFrozenDictionary(StringComparer.Ordinal);

        var byOp = new Dictionary<int, IGatewayOpHandler>();
        foreach (var handler in registered)
        {
            foreach (var op in handler.Ops)
            {
                if (ReservedOps.Contains(op))
                {
                    throw new InvalidOperationException($"{Name(handler)} registers gateway op {op}, which the gateway server owns; features may not handle it.");
                }

                if (byOp.TryGetValue(op, out var existing))
                {
                    throw new InvalidOperationException($"Gateway op {op} is registered by both {Name(existing)} and {Name(handler)}; one op has one handler.");
                }

                byOp[op] = handler;
            }
        }

        handlers = byOp.ToFrozenDictionary();
    }

    public IEnumerable<int> Ops => handlers.Keys;

    /// <summary>The op 0 commands (<c>t</c>) features serve.</summary>
    public IEnumerable<string> Commands => commandHandlers.Keys;

    /// <summary>
    /// Routes an op that is not a lifecycle op: to its handler (refusing an unidentified connection when the
    /// handler needs a session), or, without one, closes the connection as the protocol says for that op.
    /// </summary>
    public async ValueTask DispatchAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct)
    {
        // Op 0 from a client is a command, routed by its t; an unknown t answers as op 0 always did.
        if (frame.Op == GatewayOp.Dispatch && frame.T is { } command && commandHandlers.TryGetValue(command, out var commandHandler))
        {
            if (commandHandler.RequiresSession && context.Session is null)
            {
                context.Connection.Abort(GatewayCloseCodes.NotAuthenticated, "identify first");
                return;
            }

            await commandHandler.HandleAsync(context, frame, ct);
            return;
        }

        if (handlers.TryGetValue(frame.Op, out var handler))
        {
            if (handler.RequiresSession && context.Session is null)
            {
                context.Connection.Abort(GatewayCloseCodes.NotAuthenticated, "identify first");
                return;
            }

            await handler.HandleAsync(context, frame, ct);
            return;
        }

        if (context.Session is null && (DefinedClientOps.Contains(frame.Op) || ServerToClientOps.Contains(frame.Op)))
        {
            context.Connection.Abort(GatewayCloseCodes.NotAuthenticated, "identify first");
        }
        else if (frame.Op == GatewayOp.Dispatch)
        {
            context.Connection.Abort(GatewayCloseCodes.UnknownOpcode, frame.T is null ? "op 0 needs t: the command" : "unknown command");
        }
        else if (DefinedClientOps.Contains(frame.Op))
        {
            context.Connection.Abort(GatewayCloseCodes.UnknownOpcode, $"opcode {frame.Op} is not supported by this server");
        }
        else
        {
            context.Connection.Abort(GatewayCloseCodes.UnknownOpcode, $"unknown opcode {frame.Op}");
        }
    }

    /// <summary>The frame's <c>d</c> as <typeparamref name="T"/>, or null when it is missing, not an object, or does not match.</summary>
    public static T? Decode<T>(GatewayFrame frame, JsonTypeInfo<T> type) where T : class
    {
        if (frame.D is not { ValueKind: JsonValueKind.Object } data)
        {
            return null;
        }

        try
        {
            return data.Deserialize(type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Name(object handler) => handler.GetType().FullName ?? handler.GetType().Name;
}
