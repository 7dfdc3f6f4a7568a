using System.Net.WebSockets;
using System.Text.Json;
using Voxora.Protocol;
using Voxora.Server.Gateway;

namespace Voxora.Server.Tests.Unit;

public sealed class GatewayOpRegistryTests
{
    private sealed class RecordingHandler(bool requiresSession, params int[] ops) : IGatewayOpHandler
    {
        public IReadOnlyList<int> Ops { get; } = ops;

        public bool RequiresSession { get; } = requiresSession;

        public List<(GatewayOpContext Context, GatewayFrame Frame)> Received { get; } = [];

        public ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct)
        {
            Received.Add((context, frame));
            return ValueTask.CompletedTask;
        }
    }

    private sealed class OtherHandler(params int[] ops) : IGatewayOpHandler
    {
        public IReadOnlyList<int> Ops { get; } = ops;

        public bool RequiresSession => true;

        public ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct) => ValueTask.CompletedTask;
    }

    private static GatewayConnection NewConnection() =>
        new(WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true }), queueCapacity: 16);

    private static GatewaySession NewSession() => new("gw_test", "usr_test", "ses_test", replayCapacity: 16);

    [Fact]
    public void Two_handlers_for_one_op_are_refused_at_start_naming_both()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new GatewayOpRegistry([new RecordingHandler(true, 9, 10), new OtherHandler(20, 10)]));
        Assert.Contains("op 10", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(RecordingHandler), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(OtherHandler), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GatewayOp.Dispatch)]
    [InlineData(GatewayOp.Heartbeat)]
    [InlineData(GatewayOp.Identify)]
    [InlineData(GatewayOp.Resume)]
    [InlineData(GatewayOp.VoiceServer)]
    [InlineData(GatewayOp.HeartbeatAck)]
    [InlineData(GatewayOp.Reconnect)]
    [InlineData(GatewayOp.Hello)]
    [InlineData(GatewayOp.InvalidSession)]
    public void A_handler_for_an_op_the_server_owns_is_refused_at_start(int op)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new GatewayOpRegistry([new OtherHandler(42, op)]));
        Assert.Contains($"op {op}", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(OtherHandler), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_op_goes_to_its_own_handler_with_the_connection_session_and_frame()
    {
        var presence = new RecordingHandler(true, GatewayOp.PresenceUpdate);
        var typing = new RecordingHandler(true, 40, 41);
        var registry = new GatewayOpRegistry([presence, typing]);
        Assert.Equal([9, 40, 41], registry.Ops.Order());
        var connection = NewConnection();
        var session = NewSession();
        var frame = new GatewayFrame(41, JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["x"] = 1 }));

        await registry.DispatchAsync(new GatewayOpContext(connection, session), frame, CancellationToken.None);

        Assert.Empty(presence.Received);
        var (context, received) = Assert.Single(typing.Received);
        Assert.Same(connection, context.Connection);
        Assert.Same(session, context.IdentifiedSession);
        Assert.Same(frame, received);
        Assert.Null(connection.CloseCode);
    }

    [Fact]
    public async Task A_handler_needing_a_session_is_not_called_before_identify_and_the_connection_closes_4003()
    {
        var handler = new RecordingHandler(true, GatewayOp.PresenceUpdate);
        var registry = new GatewayOpRegistry([handler]);
        var connection = NewConnection();

        await registry.DispatchAsync(new GatewayOpContext(connection, null), new GatewayFrame(GatewayOp.PresenceUpdate), CancellationToken.None);

        Assert.Empty(handler.Received);
        Assert.Equal(GatewayCloseCodes.NotAuthenticated, connection.CloseCode);
    }

    [Fact]
    public async Task A_handler_that_does_not_need_a_session_gets_the_op_before_identify()
    {
        var handler = new RecordingHandler(false, 40);
        var registry = new GatewayOpRegistry([handler]);
        var connection = NewConnection();

        await registry.DispatchAsync(new GatewayOpContext(connection, null), new GatewayFrame(40), CancellationToken.None);

        var (context, _) = Assert.Single(handler.Received);
        Assert.Null(context.Session);
        Assert.Null(connection.CloseCode);
    }

    // Without a handler, each op answers as before the registry existed (docs/protocol.md).
    [Theory]
    [InlineData(GatewayOp.PresenceUpdate, false, GatewayCloseCodes.NotAuthenticated)]
    [InlineData(GatewayOp.PresenceUpdate, true, GatewayCloseCodes.UnknownOpcode)]
    [InlineData(GatewayOp.Subscribe, true, GatewayCloseCodes.UnknownOpcode)]
    [InlineData(GatewayOp.VoiceStateUpdate, false, GatewayCloseCodes.NotAuthenticated)]
    [InlineData(GatewayOp.VoiceSignal, true, GatewayCloseCodes.UnknownOpcode)]
    [InlineData(GatewayOp.Dispatch, false, GatewayCloseCodes.NotAuthenticated)]
    [InlineData(GatewayOp.Hello, true, GatewayCloseCodes.UnknownOpcode)]
    [InlineData(GatewayOp.VoiceServer, false, GatewayCloseCodes.NotAuthenticated)]
    [InlineData(99, false, GatewayCloseCodes.UnknownOpcode)]
    [InlineData(-1, true, GatewayCloseCodes.UnknownOpcode)]
    public async Task An_op_without_a_handler_closes_as_the_protocol_says(int op, bool identified, int expected)
    {
        var registry = new GatewayOpRegistry([new OtherHandler(40)]);
        var connection = NewConnection();

        await registry.DispatchAsync(new GatewayOpContext(connection, identified ? NewSession() : null), new GatewayFrame(op), CancellationToken.None);

        Assert.Equal(expected, connection.CloseCode);
    }

    [Fact]
    public void DecodeOrClose_closes_4002_on_a_payload_that_is_not_an_object()
    {
        var connection = NewConnection();
        var context = new GatewayOpContext(connection, NewSession());

        var payload = context.DecodeOrClose(new GatewayFrame(40, JsonSerializer.SerializeToElement(5)), VoxoraJsonContext.Default.IdentifyPayload, "needs an object");

        Assert.Null(payload);
        Assert.Equal(GatewayCloseCodes.DecodeError, connection.CloseCode);
    }
}
