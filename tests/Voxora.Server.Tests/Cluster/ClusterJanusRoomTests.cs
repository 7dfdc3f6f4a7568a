using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Voxora.Protocol;
using Voxora.Server.Features.Voice;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Voice.VoiceGateway;

namespace Voxora.Server.Tests.Cluster;

/// <summary>Runs when Janus is installed; signaling with Janus needs no network namespace (no media flows).</summary>
public sealed class JanusInstalledFactAttribute : FactAttribute
{
    public JanusInstalledFactAttribute()
    {
        if (JanusConfig.FindBinary("janus") is null)
        {
            Skip = "janus is not installed (Debian package 'janus')";
        }
    }
}

/// <summary>Two nodes sharing one external Janus: members of one channel connected to different nodes are put in the same room.</summary>
public sealed class ClusterJanusRoomTests
{
    [JanusInstalledFact]
    public async Task Members_of_one_channel_on_two_nodes_join_the_same_janus_room()
    {
        var binary = JanusConfig.FindBinary("janus")!;
        var libDir = JanusConfig.FindLibDir(null, binary, out var searched) ?? throw new InvalidOperationException("no Janus libraries: " + searched);
        var folder = Directory.CreateTempSubdirectory("voxora-cluster-janus-").FullName;
        var launch = new JanusLaunch(folder, FreePort(), Secret(), Secret(), Secret());
        JanusConfig.Write(launch, libDir, new VoiceOptions());
        using var janus = Process.Start(new ProcessStartInfo(binary, ["--config=" + launch.ConfigFile, "--configs-folder=" + folder, "--disable-stdout"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        janus.OutputDataReceived += (_, _) => { };
        janus.ErrorDataReceived += (_, _) => { };
        janus.BeginOutputReadLine();
        janus.BeginErrorReadLine();
        try
        {
            await using var cluster = await ClusterNodes.StartAsync(2, new Dictionary<string, string?>
            {
                ["VOICE:ENABLED"] = "true",
                ["VOICE:JANUS_URL"] = launch.Url.ToString(),
                ["VOICE:JANUS_API_SECRET"] = launch.ApiSecret,
                ["VOICE:JANUS_ADMIN_KEY"] = launch.RoomAdminKey,
            });
            foreach (var node in cluster.Nodes)
            {
                await node.Services.GetRequiredService<JanusSupervisor>().WaitForNodeAsync(TimeSpan.FromSeconds(20));
            }

            var (ownerApi, _, community) = await cluster[0].NewCommunityAsync("One room");
            var (aApi, aUser) = await cluster[0].NewMemberAsync(ownerApi, community.Id);
            var (bApi, bUser) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
            var channel = community.VoiceChannel().Id;
            await using var a = await ConnectAsync(cluster[0], aApi);
            await using var b = await ConnectAsync(cluster[1], bApi);
            await JoinedAsync(a, channel);
            await JoinedAsync(b, channel);

            // The room every node derives from the channel's epoch in Redis holds both members' publisher handles.
            var redis = cluster[0].Services.GetRequiredService<ClusterConnection>();
            var epoch = (long)await redis.Database.HashGetAsync(redis.Key("voice:room:" + channel), "epoch");
            var room = JanusVoiceMedia.SharedRoomId(channel, epoch);
            var janusNode = cluster[0].Services.GetRequiredService<JanusSupervisor>().Nodes.Single();
            var manager = await VideoRoom.AttachAsync(janusNode.Session!, launch.RoomAdminKey);
            var participants = await manager.ListParticipantsAsync(room);
            Assert.Equal(new[] { aUser.Id, bUser.Id }.Order(), participants.Select(p => p.Display!).Order());

            // Both leave: the last one out ends the room and its epoch.
            await JoinAsync(a, null);
            await StateAboutAsync(b, aUser.Id);
            Assert.Single(await manager.ListParticipantsAsync(room));
            await JoinAsync(b, null);
            await NextAsync(b, f => f.T == GatewayEvents.VoiceStateUpdate && StateOf(f) is { ChannelId: null } left && left.UserId == bUser.Id);
            for (var i = 0; i < 50 && await manager.ExistsAsync(room); i++)
            {
                await Task.Delay(100);
            }

            Assert.False(await manager.ExistsAsync(room));
            Assert.False(await redis.Database.KeyExistsAsync(redis.Key("voice:room:" + channel)));
        }
        finally
        {
            janus.Kill();
            await janus.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
