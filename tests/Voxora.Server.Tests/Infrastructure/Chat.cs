using Voxora.Client;
using Voxora.Protocol;

namespace Voxora.Server.Tests.Infrastructure;

/// <summary>Shortcuts for chat tests: a community with its owner, members joined through an invite.</summary>
public static class Chat
{
    public static async Task<(VoxoraClient Owner, User User, Community Community)> NewCommunityAsync(this TestServer server, string name = "Test community")
    {
        var (client, user, _) = await server.NewUserAsync("own");
        var community = await client.CreateCommunityAsync(name);
        return (client, user, community);
    }

    /// <summary>A fresh user who joined the community through a new invite created by <paramref name="inviter"/>.</summary>
    public static async Task<(VoxoraClient Client, User User)> NewMemberAsync(this TestServer server, VoxoraClient inviter, string communityId)
    {
        var (client, user, _) = await server.NewUserAsync("mem");
        var invite = await inviter.CreateInviteAsync(communityId);
        await client.AcceptInviteAsync(invite.Code);
        return (client, user);
    }

    public static Channel TextChannel(this Community community) => community.Channels!.First(c => c.Type == ChannelTypes.Text);

    public static Channel VoiceChannel(this Community community) => community.Channels!.First(c => c.Type == ChannelTypes.Voice);
}
