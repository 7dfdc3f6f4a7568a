using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Voice;
using Voxora.Server.Infrastructure;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Voice.VoiceGateway;

namespace Voxora.Server.Tests.Voice;

/// <summary>
/// Voice states in READY and over REST, moderators' server mute/deafen/move/disconnect, permission changes applied
/// to members already in voice, and the <c>voice_sessions</c> table — over the real gateway and HTTP, with a media
/// plane that records what it was asked (the Janus side of mute/deafen is in JanusLiveTests).
/// </summary>
public abstract class VoiceModerationTests(Provider provider)
{
    private sealed record Setup(
        TestServer Server, FakeVoiceMedia Media, VoxoraClient Owner, User OwnerUser, Community Community,
        VoxoraClient MemberApi, User Member, GatewayClient Watcher, GatewayClient MemberGateway) : IAsyncDisposable
    {
        public string Voice => Community.VoiceChannel().Id;

        public async ValueTask DisposeAsync()
        {
            await MemberGateway.DisposeAsync();
            await Watcher.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    /// <summary>An owner watching on the gateway and a plain member who joined the community's voice channel.</summary>
    private async Task<Setup> MemberInVoiceAsync()
    {
        var media = new FakeVoiceMedia();
        var server = await VoiceGateway.StartAsync(media, provider);
        var (owner, ownerUser, community) = await server.NewCommunityAsync();
        var (memberApi, member) = await server.NewMemberAsync(owner, community.Id);
        var watcher = await ConnectAsync(server, owner);
        var memberGateway = await ConnectAsync(server, memberApi);
        await JoinedAsync(memberGateway, community.VoiceChannel().Id);
        Assert.Equal(community.VoiceChannel().Id, (await StateAboutAsync(watcher, member.Id)).ChannelId);
        return new Setup(server, media, owner, ownerUser, community, memberApi, member, watcher, memberGateway);
    }

    private async Task<VoiceSessionEntity?> RowAsync(TestServer server, string userId)
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        return await db.VoiceSessions.AsNoTracking().SingleOrDefaultAsync(v => v.UserId == userId);
    }

    [Fact]
    public async Task Ready_and_the_rest_list_show_who_is_in_visible_voice_channels_only()
    {
        await using var s = await MemberInVoiceAsync();
        var hidden = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("Staff voice", ChannelTypes.Voice));
        var everyone = Assert.Single(await s.Owner.GetRolesAsync(s.Community.Id));
        await s.Owner.SetOverrideAsync(hidden.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        await using var ownerGateway = await ConnectAsync(s.Server, s.Owner);
        await JoinedAsync(ownerGateway, hidden.Id);

        // A third member sees the member in the public channel, not the owner in the hidden one.
        var (thirdApi, _) = await s.Server.NewMemberAsync(s.Owner, s.Community.Id);
        await using var third = await GatewayClient.ConnectAsync(s.Server.BaseAddress);
        var ready = await third.IdentifyAsync(thirdApi.AccessToken!);
        var state = Assert.Single(ready.VoiceStates);
        Assert.Equal((s.Community.Id, s.Voice, s.Member.Id), (state.CommunityId, state.ChannelId, state.UserId));
        Assert.Equal(s.Member.Id, Assert.Single(await thirdApi.GetVoiceStatesAsync(s.Community.Id)).UserId);

        // The owner sees both.
        Assert.Equal(2, (await s.Owner.GetVoiceStatesAsync(s.Community.Id)).Count);

        // Outsiders and strangers to the community learn nothing.
        var (outsider, _, _) = await s.Server.NewUserAsync();
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => outsider.GetVoiceStatesAsync(s.Community.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => outsider.GetVoiceStatesAsync("cmt_nonexistent"));
        var anonymous = await s.Server.NewClient().Http.GetAsync($"api/v1/communities/{s.Community.Id}/voice-states");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Voice_sessions_rows_follow_joins_flags_and_leaves()
    {
        await using var s = await MemberInVoiceAsync();
        var row = await RowAsync(s.Server, s.Member.Id);
        Assert.NotNull(row);
        Assert.Equal((s.Voice, s.Community.Id, false), (row.ChannelId, row.CommunityId, row.SelfMute));
        Assert.StartsWith("vs_", row.Id, StringComparison.Ordinal);

        await JoinAsync(s.MemberGateway, s.Voice, selfMute: true);
        Assert.True((await StateAboutAsync(s.Watcher, s.Member.Id)).SelfMute);
        Assert.True((await RowAsync(s.Server, s.Member.Id))!.SelfMute);

        await JoinAsync(s.MemberGateway, null);
        Assert.Null((await StateAboutAsync(s.Watcher, s.Member.Id)).ChannelId);
        Assert.Null(await RowAsync(s.Server, s.Member.Id));
    }

    [Fact]
    public async Task Rows_left_by_a_crash_are_cleared_when_the_node_starts_again()
    {
        // The first server stands for a node that crashed: its row stays behind; a new process on the same data starts.
        await using var crashed = await VoiceGateway.StartAsync(new FakeVoiceMedia(), provider);
        var (_, ownerUser, community) = await crashed.NewCommunityAsync();
        using (var scope = crashed.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            db.VoiceSessions.Add(new VoiceSessionEntity
            {
                Id = "vs_stale", CommunityId = community.Id, ChannelId = community.VoiceChannel().Id, UserId = ownerUser.Id,
                SessionId = "gws_gone", NodeId = 0, ConnectedAt = DateTimeOffset.UnixEpoch,
            });
            await db.SaveChangesAsync();
        }

        Assert.NotNull(await RowAsync(crashed, ownerUser.Id));
        var restarted = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["VOICE:ENABLED"] = "false" },
            dataDir: crashed.DataDir, reuseConnectionString: crashed.ConnectionString);
        try
        {
            Assert.Null(await RowAsync(restarted, ownerUser.Id));
        }
        finally
        {
            await restarted.StopAsync();
        }
    }

    [Fact]
    public async Task Server_mute_and_deafen_reach_the_media_plane_the_channel_and_survive_a_rejoin()
    {
        await using var s = await MemberInVoiceAsync();
        var muted = await s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverMute: true);
        Assert.True(muted.ServerMute);
        Assert.True((await StateAboutAsync(s.Watcher, s.Member.Id)).ServerMute);
        Assert.True(s.Media.Peers[s.Member.Id].ServerMute);
        Assert.True((await RowAsync(s.Server, s.Member.Id))!.ServerMute);

        var deafened = await s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverDeaf: true);
        Assert.Equal((true, true), (deafened.ServerMute, deafened.ServerDeaf));
        Assert.True((await StateAboutAsync(s.Watcher, s.Member.Id)).ServerDeaf);
        Assert.True(s.Media.Peers[s.Member.Id].ServerDeaf);

        // Leaving and rejoining does not shake it off.
        await JoinAsync(s.MemberGateway, null);
        Assert.Null((await StateAboutAsync(s.Watcher, s.Member.Id)).ChannelId);
        await JoinedAsync(s.MemberGateway, s.Voice);
        var rejoined = await StateAboutAsync(s.Watcher, s.Member.Id);
        Assert.Equal((true, true), (rejoined.ServerMute, rejoined.ServerDeaf));
        Assert.True(s.Media.Peers[s.Member.Id].ServerMute);
        Assert.True(s.Media.Peers[s.Member.Id].ServerDeaf);

        var lifted = await s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverMute: false, serverDeaf: false);
        Assert.Equal((false, false), (lifted.ServerMute, lifted.ServerDeaf));
        Assert.False(s.Media.Peers[s.Member.Id].ServerMute);
        Assert.False(s.Media.Peers[s.Member.Id].ServerDeaf);
    }

    [Fact]
    public async Task A_server_muted_member_stops_speaking_at_once_and_talking_reports_are_dropped_until_unmuted()
    {
        await using var s = await MemberInVoiceAsync();
        var peer = s.Media.Peers[s.Member.Id];
        peer.Events.Speaking(true);
        Assert.True((await DispatchAsync(s.Watcher, GatewayEvents.VoiceSpeaking)).D!.Value.GetProperty("speaking").GetBoolean());

        await s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverMute: true);
        Assert.False((await DispatchAsync(s.Watcher, GatewayEvents.VoiceSpeaking)).D!.Value.GetProperty("speaking").GetBoolean());
        Assert.True((await StateAboutAsync(s.Watcher, s.Member.Id)).ServerMute);

        // Janus may still report talking for a moment: nobody hears it.
        peer.Events.Speaking(true);
        Assert.Null(await s.Watcher.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(500)));

        await s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverMute: false);
        Assert.False((await StateAboutAsync(s.Watcher, s.Member.Id)).ServerMute);
        peer.Events.Speaking(true);
        Assert.True((await DispatchAsync(s.Watcher, GatewayEvents.VoiceSpeaking)).D!.Value.GetProperty("speaking").GetBoolean());
    }

    [Fact]
    public async Task A_moderator_moves_a_member_who_gets_a_new_voice_server_for_the_destination()
    {
        await using var s = await MemberInVoiceAsync();
        var second = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("Second voice", ChannelTypes.Voice));
        var moved = await s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, moveTo: second.Id);
        Assert.Equal(second.Id, moved.ChannelId);

        var info = VoiceServerOf(await NextAsync(s.MemberGateway, f => f.Op == GatewayOp.VoiceServer));
        Assert.Equal(second.Id, info.ChannelId);
        Assert.Null((await StateAboutAsync(s.Watcher, s.Member.Id)).ChannelId);
        Assert.Equal(second.Id, (await StateAboutAsync(s.Watcher, s.Member.Id)).ChannelId);
        Assert.Equal(1, s.Media.Live);
        Assert.Equal(second.Id, s.Media.Peers[s.Member.Id].ChannelId);
        Assert.True(s.Media.Peers[s.Member.Id].Receiving);
        Assert.Equal(second.Id, (await RowAsync(s.Server, s.Member.Id))!.ChannelId);

        // Moves go to voice channels only.
        var problem = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType,
            () => s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, moveTo: s.Community.TextChannel().Id));
        Assert.Contains("voice", problem.Problem!.Detail, StringComparison.Ordinal);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound,
            () => s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, moveTo: Ids.New(Ids.Channel)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, moveTo: "not-a-channel"));
        Assert.Equal(second.Id, s.Media.Peers[s.Member.Id].ChannelId);
    }

    [Fact]
    public async Task A_moderator_disconnects_a_member()
    {
        await using var s = await MemberInVoiceAsync();
        var gone = await s.Owner.DisconnectVoiceAsync(s.Community.Id, s.Member.Id);
        Assert.Null(gone.ChannelId);
        Assert.Null((await StateAboutAsync(s.Watcher, s.Member.Id)).ChannelId);
        Assert.Equal(VoiceErrorCodes.Disconnected, (await ErrorAsync(s.MemberGateway)).Code);
        Assert.Equal(0, s.Media.Live);
        Assert.Null(await RowAsync(s.Server, s.Member.Id));

        // Not in voice any more: nothing to act on.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.UnknownVoiceState,
            () => s.Owner.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverMute: true));
    }

    [Fact]
    public async Task Unhappy_paths_answer_clear_errors_and_change_nothing()
    {
        await using var s = await MemberInVoiceAsync();
        var (otherApi, other) = await s.Server.NewMemberAsync(s.Owner, s.Community.Id);
        var (outsider, _, _) = await s.Server.NewUserAsync();
        var path = $"api/v1/communities/{s.Community.Id}/voice-states/{s.Member.Id}";

        // Unauthenticated.
        var anonymous = await s.Server.NewClient().Http.PatchAsync(path, Json("{\"server_mute\":true}"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        // Not a member of the community; unknown community.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => outsider.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverMute: true));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => s.Owner.ModerateVoiceAsync("cmt_nonexistent", s.Member.Id, serverMute: true));

        // A plain member lacks every voice moderation bit.
        var forbidden = await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => otherApi.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverMute: true));
        Assert.Contains("VOICE_MUTE_OTHERS", forbidden.Problem!.Detail, StringComparison.Ordinal);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => otherApi.ModerateVoiceAsync(s.Community.Id, s.Member.Id, serverDeaf: true));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => otherApi.DisconnectVoiceAsync(s.Community.Id, s.Member.Id));

        // Unknown or absent targets.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.UnknownVoiceState, () => s.Owner.ModerateVoiceAsync(s.Community.Id, other.Id, serverMute: true));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.UnknownVoiceState, () => s.Owner.ModerateVoiceAsync(s.Community.Id, "usr_nonexistent", serverMute: true));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.UnknownVoiceState, () => s.Owner.ModerateVoiceAsync(s.Community.Id, "not-an-id", serverMute: true));

        // Malformed and oversize bodies (the 1 MiB cap itself is HttpSurfaceTests' business).
        foreach (var body in new[] { "{}", "{\"server_mute\":\"yes\"}", "{\"channel_id\":42}", "[1]", "{\"channel_id\":\"nope\"}", "{\"channel_id\":\"ch_" + new string('7', 5000) + "\"}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = Json(body) };
            request.Headers.Authorization = new("Bearer", s.Owner.AccessToken);
            using var response = await s.Owner.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} → {(int)response.StatusCode}");
        }

        // Nothing changed.
        var state = Assert.Single(await s.Owner.GetVoiceStatesAsync(s.Community.Id));
        Assert.Equal((s.Voice, false, false), (state.ChannelId, state.ServerMute, state.ServerDeaf));
        Assert.False(s.Media.Peers[s.Member.Id].ServerMute);
        Assert.Equal(1, s.Media.Live);
    }

    [Fact]
    public async Task Losing_connect_disconnects_and_losing_speak_mutes_members_already_in_voice()
    {
        await using var s = await MemberInVoiceAsync();
        var everyone = Assert.Single(await s.Owner.GetRolesAsync(s.Community.Id));

        await s.Owner.SetOverrideAsync(s.Voice, "role", everyone.Id, 0, Permission.VoiceSpeak);
        Assert.True((await StateAboutAsync(s.Watcher, s.Member.Id)).ServerMute);
        Assert.True(s.Media.Peers[s.Member.Id].ServerMute);

        await s.Owner.DeleteOverrideAsync(s.Voice, "role", everyone.Id);
        Assert.False((await StateAboutAsync(s.Watcher, s.Member.Id)).ServerMute);
        Assert.False(s.Media.Peers[s.Member.Id].ServerMute);

        await s.Owner.SetOverrideAsync(s.Voice, "role", everyone.Id, 0, Permission.VoiceConnect);
        Assert.Null((await StateAboutAsync(s.Watcher, s.Member.Id)).ChannelId);
        Assert.Equal(VoiceErrorCodes.Disconnected, (await ErrorAsync(s.MemberGateway)).Code);
        Assert.Equal(0, s.Media.Live);
    }

    [Fact]
    public async Task Voice_follows_a_permission_change_before_its_request_answers()
    {
        // Voice subscribes to the PermissionsChanged domain event, which runs inside the change's request: the effect
        // is already there when the answer arrives (no waiting), whichever feature made the change.
        await using var s = await MemberInVoiceAsync();
        var everyone = Assert.Single(await s.Owner.GetRolesAsync(s.Community.Id));

        await s.Owner.UpdateRoleAsync(s.Community.Id, everyone.Id, new UpdateRoleRequest(Permissions: everyone.Permissions & ~Permission.VoiceSpeak));
        Assert.True(s.Media.Peers[s.Member.Id].ServerMute);

        await s.Owner.UpdateChannelAsync(s.Voice, new UpdateChannelRequest(Bitrate: 96_000));
        Assert.Equal(96_000, s.Media.Bitrates[s.Voice]);

        await s.Owner.SetOverrideAsync(s.Voice, "role", everyone.Id, 0, Permission.VoiceConnect);
        Assert.Equal(0, s.Media.Live);
        Assert.Empty(await s.Owner.GetVoiceStatesAsync(s.Community.Id));
    }

    [Fact]
    public async Task A_room_uses_its_channel_bitrate_and_follows_edits_while_people_talk()
    {
        await using var s = await MemberInVoiceAsync();
        Assert.Equal(64_000, s.Media.Bitrates[s.Voice]);
        await s.Owner.UpdateChannelAsync(s.Voice, new UpdateChannelRequest(Bitrate: 96_000));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (s.Media.Bitrates[s.Voice] != 96_000 && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }

        Assert.Equal(96_000, s.Media.Bitrates[s.Voice]);
    }

    [Fact]
    public async Task Media_that_cannot_be_repaired_is_renewed_in_place_with_a_new_voice_server_and_no_leave()
    {
        await using var s = await MemberInVoiceAsync();
        var old = s.Media.Peers[s.Member.Id];
        var before = (await RowAsync(s.Server, s.Member.Id))!.Id;
        old.Events.MediaLost();

        var renewed = VoiceServerOf(await NextAsync(s.MemberGateway, f => f.Op == GatewayOp.VoiceServer));
        Assert.Equal(s.Voice, renewed.ChannelId);
        Assert.NotEqual(before, renewed.VoiceSessionId);
        Assert.True(old.Disposed);
        Assert.Equal(1, s.Media.Live);
        Assert.True(s.Media.Peers[s.Member.Id].Receiving);
        Assert.Equal(renewed.VoiceSessionId, (await RowAsync(s.Server, s.Member.Id))!.Id);

        // The channel never saw the member leave.
        for (var frame = await s.Watcher.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(500)); frame is not null;
             frame = await s.Watcher.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(500)))
        {
            Assert.False(frame.T == GatewayEvents.VoiceStateUpdate && StateOf(frame).ChannelId is null, "a leave was announced");
        }
    }

    [Fact]
    public async Task Kicked_members_and_deleted_channels_leave_voice()
    {
        await using var s = await MemberInVoiceAsync();
        await s.Owner.KickAsync(s.Community.Id, s.Member.Id);
        Assert.Null((await StateAboutAsync(s.Watcher, s.Member.Id)).ChannelId);
        Assert.Equal(0, s.Media.Live);

        var second = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("Doomed voice", ChannelTypes.Voice));
        await using var ownerGateway = await ConnectAsync(s.Server, s.Owner);
        await JoinedAsync(ownerGateway, second.Id);
        await s.Owner.DeleteChannelAsync(second.Id);
        Assert.Equal(VoiceErrorCodes.Disconnected, (await ErrorAsync(ownerGateway)).Code);
        Assert.Equal(0, s.Media.Live);
        Assert.Null(await RowAsync(s.Server, s.OwnerUser.Id));
    }

    public enum Removal { Leave, Kick, Ban }

    [Theory]
    [InlineData(Removal.Leave)]
    [InlineData(Removal.Kick)]
    [InlineData(Removal.Ban)]
    public async Task A_removed_member_is_out_of_voice_when_the_removal_returns(Removal removal)
    {
        await using var s = await MemberInVoiceAsync();
        await (removal switch
        {
            Removal.Leave => s.MemberApi.LeaveCommunityAsync(s.Community.Id),
            Removal.Kick => s.Owner.KickAsync(s.Community.Id, s.Member.Id),
            _ => s.Owner.BanAsync(s.Community.Id, s.Member.Id),
        });

        // The voice subscriber of the removal ran before the call returned: media and row are gone already.
        Assert.Equal(0, s.Media.Live);
        Assert.Null(await RowAsync(s.Server, s.Member.Id));
        Assert.Null((await StateAboutAsync(s.Watcher, s.Member.Id)).ChannelId);
    }

    [Fact]
    public async Task Deleting_a_community_ends_its_voice_connections_before_the_delete_returns()
    {
        await using var s = await MemberInVoiceAsync();
        await s.Owner.DeleteCommunityAsync(s.Community.Id);

        // The voice subscriber of the deletion ran before the call returned: media and row are gone already.
        Assert.Equal(0, s.Media.Live);
        Assert.Null(await RowAsync(s.Server, s.Member.Id));

        // The member's connection learns of the deletion exactly once and is told its voice connection ended.
        var deletions = 0;
        var disconnected = false;
        for (var frame = await s.MemberGateway.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(600)); frame is not null;
             frame = await s.MemberGateway.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(600)))
        {
            if (frame.T == GatewayEvents.CommunityDelete)
            {
                Assert.Equal(s.Community.Id, frame.D!.Value.GetProperty("id").GetString());
                deletions++;
            }
            else if (frame.T == GatewayEvents.VoiceError)
            {
                disconnected |= frame.D!.Value.Deserialize(VoxoraJsonContext.Default.VoiceError)!.Code == VoiceErrorCodes.Disconnected;
            }
        }

        Assert.Equal(1, deletions);
        Assert.True(disconnected, "the member was not told their voice connection ended");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

public sealed class VoiceModerationTestsOnSqlite() : VoiceModerationTests(Provider.Sqlite);

public sealed class VoiceModerationTestsOnPostgres() : VoiceModerationTests(Provider.Postgres);
