using System.Net.WebSockets;
using System.Text.Json;
using Voxora.Protocol;
using Voxora.Server.Gateway;

namespace Voxora.Server.Tests.Unit;

/// <summary>Client commands (op 0 with a <c>t</c>) are routed by <c>t</c> to the feature that registered it.</summary>
public sealed class GatewayCommandRoutingTests
{
    private sealed class RecordingCommands(bool requiresSession, params string[] commands) : IGatewayCommandHandler
    {
        public IReadOnlyList<string> Commands { get; } = commands;

        public bool RequiresSession { get; } = requiresSession;

        public List<GatewayFrame> Received { get; } = [];

        public ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct)
        {
            Received.Add(frame);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NoOps : IGatewayOpHandler
    {
        public IReadOnlyList<int> Ops { get; } = [40];

        public bool RequiresSession => true;

        public ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct) => ValueTask.CompletedTask;
    }

    private static GatewayConnection NewConnection() =>
        new(WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true }), queueCapacity: 16);

    private static GatewaySession NewSession() => new("gw_test", "usr_test", "ses_test", replayCapacity: 16);

    private static GatewayFrame Command(string? t) => new(GatewayOp.Dispatch, JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["channel_id"] = "ch_x" }), T: t);

    [Fact]
    public async Task Each_command_goes_to_its_handler_by_t_and_ops_keep_their_own_routing()
    {
        var typing = new RecordingCommands(true, "TYPING");
        var other = new RecordingCommands(true, "OTHER", "THIRD");
        var registry = new GatewayOpRegistry([new NoOps()], [typing, other]);
        Assert.Equal(["OTHER", "THIRD", "TYPING"], registry.Commands.Order(StringComparer.Ordinal));
        Assert.Equal([40], registry.Ops);
        var connection = NewConnection();

        var frame = Command("TYPING");
        await registry.DispatchAsync(new GatewayOpContext(connection, NewSession()), frame, CancellationToken.None);
        await registry.DispatchAsync(new GatewayOpContext(connection, NewSession()), Command("THIRD"), CancellationToken.None);

        Assert.Same(frame, Assert.Single(typing.Received));
        Assert.Equal("THIRD", Assert.Single(other.Received).T);
        Assert.Null(connection.CloseCode);
    }

    [Fact]
    public void Two_handlers_for_one_command_or_an_empty_command_are_refused_at_start_naming_them()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new GatewayOpRegistry([], [new RecordingCommands(true, "TYPING"), new RecordingCommands(false, "X", "TYPING")]));
        Assert.Contains("command TYPING", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(RecordingCommands), error.Message, StringComparison.Ordinal);

        Assert.Throws<InvalidOperationException>(() => new GatewayOpRegistry([], [new RecordingCommands(true, "")]));
    }

    [Fact]
    public async Task A_command_needing_a_session_closes_4003_before_identify_without_reaching_its_handler()
    {
        var typing = new RecordingCommands(true, "TYPING");
        var registry = new GatewayOpRegistry([], [typing]);
        var connection = NewConnection();

        await registry.DispatchAsync(new GatewayOpContext(connection, null), Command("TYPING"), CancellationToken.None);

        Assert.Empty(typing.Received);
        Assert.Equal(GatewayCloseCodes.NotAuthenticated, connection.CloseCode);
    }

    // Commands match t exactly; anything else on op 0 answers as op 0 always did (4003 before identify, else 4001).
    [Theory]
    [InlineData("typing", true, GatewayCloseCodes.UnknownOpcode)]
    [InlineData("TYPING_START", true, GatewayCloseCodes.UnknownOpcode)]
    [InlineData(null, true, GatewayCloseCodes.UnknownOpcode)]
    [InlineData("NOPE", false, GatewayCloseCodes.NotAuthenticated)]
    public async Task An_op_0_without_a_handler_for_its_t_closes_as_before(string? t, bool identified, int expected)
    {
        var typing = new RecordingCommands(true, "TYPING");
        var registry = new GatewayOpRegistry([], [typing]);
        var connection = NewConnection();

        await registry.DispatchAsync(new GatewayOpContext(connection, identified ? NewSession() : null), Command(t), CancellationToken.None);

        Assert.Empty(typing.Received);
        Assert.Equal(expected, connection.CloseCode);
    }
}
