using System.Text.Json;
using Voxora.Protocol;
using Voxora.Server.Features.Permissions;

namespace Voxora.Server.Tests.Unit;

/// <summary>The permission resolver, rule by rule, and the cached snapshot against the reference implementation.</summary>
public sealed class PermissionResolverTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private const long View = Permission.ViewChannel;
    private const long Send = Permission.SendMessages;
    private const long History = Permission.ReadMessageHistory;
    private const long React = Permission.AddReactions;

    /// <summary>A small community: @everyone, mod (position 2), helper (1), admin role (3); channels general, private, a category with a synced and an unsynced child.</summary>
    private sealed class World
    {
        public long Everyone = Permission.EveryoneDefault;
        public long Mod = Permission.ManageMessages | Permission.KickMembers;
        public long Helper = Permission.MentionEveryone;
        public long AdminRole = Permission.Administrator;
        public Dictionary<string, string[]> MemberRoles = new() { ["mod"] = ["r_mod"], ["helper"] = ["r_helper"], ["both"] = ["r_mod", "r_helper"], ["admin"] = ["r_admin"] };
        public Dictionary<string, DateTimeOffset> Timeouts = [];
        public Dictionary<string, Dictionary<string, OverrideRule>> RoleOverrides = [];
        public Dictionary<string, Dictionary<string, OverrideRule>> UserOverrides = [];

        public CommunityPermissionData Data()
        {
            var roles = new Dictionary<string, RoleInfo>
            {
                ["r_every"] = new("r_every", Everyone, 0),
                ["r_helper"] = new("r_helper", Helper, 1),
                ["r_mod"] = new("r_mod", Mod, 2),
                ["r_admin"] = new("r_admin", AdminRole, 3),
            };
            ChannelInfo Channel(string id, string? parent = null, bool synced = false) => new(id, parent, synced,
                RoleOverrides.GetValueOrDefault(id) ?? [], UserOverrides.GetValueOrDefault(id) ?? []);
            return new CommunityPermissionData("com", "owner", "r_every", roles,
                MemberRoles.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value),
                Timeouts,
                new Dictionary<string, ChannelInfo>
                {
                    ["general"] = Channel("general"),
                    ["private"] = Channel("private"),
                    ["cat"] = Channel("cat"),
                    ["synced"] = Channel("synced", "cat", true),
                    ["unsynced"] = Channel("unsynced", "cat", false),
                });
        }

        public long Of(string user, string? channel = null, DateTimeOffset? at = null) => PermissionResolver.Compute(Data(), user, channel, at ?? Now);
    }

    private static bool Has(long permissions, long bit) => (permissions & bit) == bit;

    [Fact]
    public void Everyone_gets_the_documented_defaults_and_nothing_more()
    {
        var world = new World();
        var member = world.Of("nobody");
        Assert.Equal(Permission.EveryoneDefault, member);
        foreach (var bit in new[] { View, Send, Permission.SendAttachments, History, React, Permission.CreateInvites, Permission.VoiceConnect, Permission.VoiceSpeak })
        {
            Assert.True(Has(member, bit));
        }

        foreach (var bit in new[] { Permission.ManageMessages, Permission.ManageChannels, Permission.ManageRoles, Permission.ManageCommunity, Permission.KickMembers,
                     Permission.BanMembers, Permission.ModerateMembers, Permission.ViewAuditLog, Permission.MentionEveryone, Permission.Administrator })
        {
            Assert.False(Has(member, bit));
        }

        Assert.Equal(Permission.EveryoneDefault, world.Of("nobody", "general"));
    }

    [Fact]
    public void Bits_match_the_spec_positions()
    {
        Assert.Equal(1L << 2, Permission.SendAttachments);
        Assert.Equal(1L << 17, Permission.CreateThreads);
        Assert.Equal(1L << 20, Permission.ViewAuditLog);
        Assert.Equal(Permission.Definitions().Count, Permission.Definitions().Select(d => d.Bit).Distinct().Count());
        Assert.Equal(Permission.Definitions().Count, Permission.Definitions().Select(d => d.Name).Distinct().Count());
        Assert.Equal(1L << 15, PodPermission.Administrator);
    }

    [Fact]
    public void Roles_add_to_everyone()
    {
        var world = new World();
        Assert.Equal(Permission.EveryoneDefault | world.Mod, world.Of("mod"));
        Assert.Equal(Permission.EveryoneDefault | world.Mod | world.Helper, world.Of("both"));
        world.Everyone = 0;
        Assert.Equal(world.Mod, world.Of("mod"));
        Assert.Equal(0, world.Of("nobody"));
    }

    [Fact]
    public void The_owner_has_everything_everywhere_whatever_the_overrides_and_timeouts()
    {
        var world = new World { Everyone = 0 };
        world.RoleOverrides["private"] = new() { ["r_every"] = new(0, View | Send) };
        world.UserOverrides["private"] = new() { ["owner"] = new(0, View | Send) };
        world.Timeouts["owner"] = Now.AddHours(1);
        Assert.Equal(Permission.All, world.Of("owner"));
        foreach (var channel in new[] { "general", "private", "synced", "unsynced", "cat" })
        {
            Assert.Equal(Permission.All, world.Of("owner", channel));
        }
    }

    [Fact]
    public void Administrator_means_all_and_ignores_overrides_and_timeouts()
    {
        var world = new World();
        world.RoleOverrides["private"] = new() { ["r_every"] = new(0, View), ["r_admin"] = new(0, View) };
        world.UserOverrides["private"] = new() { ["admin"] = new(0, View) };
        world.Timeouts["admin"] = Now.AddHours(1);
        Assert.Equal(Permission.All, world.Of("admin"));
        Assert.Equal(Permission.All, world.Of("admin", "private"));

        // ADMINISTRATOR through @everyone works too (and is why nobody should give it to @everyone).
        world.Everyone |= Permission.Administrator;
        Assert.Equal(Permission.All, world.Of("nobody", "private"));
    }

    [Fact]
    public void Everyone_override_then_role_overrides_then_user_override()
    {
        var world = new World();

        // @everyone denied view: a private channel.
        world.RoleOverrides["private"] = new() { ["r_every"] = new(0, View) };
        Assert.False(Has(world.Of("nobody", "private"), View));
        Assert.False(Has(world.Of("mod", "private"), View));

        // A role allowed back in beats the @everyone deny.
        world.RoleOverrides["private"]["r_mod"] = new(View, 0);
        Assert.True(Has(world.Of("mod", "private"), View));
        Assert.True(Has(world.Of("both", "private"), View));
        Assert.False(Has(world.Of("helper", "private"), View));

        // Role overrides are unioned: allow wins over another role's deny.
        world.RoleOverrides["private"]["r_helper"] = new(0, View);
        Assert.True(Has(world.Of("both", "private"), View));
        Assert.False(Has(world.Of("helper", "private"), View));

        // A user override comes last: it beats every role override, both ways.
        world.UserOverrides["private"] = new() { ["both"] = new(0, View), ["helper"] = new(View, 0) };
        Assert.False(Has(world.Of("both", "private"), View));
        Assert.True(Has(world.Of("helper", "private"), View));

        // Another channel is unaffected.
        Assert.True(Has(world.Of("nobody", "general"), View));
    }

    [Fact]
    public void An_everyone_allow_gives_a_bit_the_base_lacks_and_a_role_deny_takes_it_away()
    {
        var world = new World();
        world.RoleOverrides["general"] = new() { ["r_every"] = new(Permission.MentionEveryone, Send), ["r_mod"] = new(Send, Permission.MentionEveryone) };
        var plain = world.Of("nobody", "general");
        Assert.False(Has(plain, Send));
        Assert.False(Has(plain, Permission.MentionEveryone) && Has(plain, Send));
        var mod = world.Of("mod", "general");
        Assert.True(Has(mod, Send));
        Assert.False(Has(mod, Permission.MentionEveryone));
    }

    [Fact]
    public void No_view_means_no_channel_permissions_but_community_wide_bits_stay()
    {
        var world = new World();
        world.RoleOverrides["private"] = new() { ["r_every"] = new(0, View) };
        var mod = world.Of("mod", "private");
        Assert.False(Has(mod, Send));
        Assert.False(Has(mod, History));
        Assert.False(Has(mod, Permission.ManageMessages));
        Assert.True(Has(mod, Permission.KickMembers));
    }

    [Fact]
    public void No_send_means_no_attachments_embeds_or_mention_everyone()
    {
        var world = new World();
        world.UserOverrides["general"] = new() { ["helper"] = new(0, Send) };
        var helper = world.Of("helper", "general");
        Assert.False(Has(helper, Permission.SendAttachments));
        Assert.False(Has(helper, Permission.EmbedLinks));
        Assert.False(Has(helper, Permission.MentionEveryone));
        Assert.True(Has(helper, React));
    }

    [Fact]
    public void Synced_children_follow_their_category_and_unsynced_ones_their_own_overrides()
    {
        var world = new World();
        world.RoleOverrides["cat"] = new() { ["r_every"] = new(0, View), ["r_mod"] = new(View, 0) };
        world.RoleOverrides["synced"] = new() { ["r_every"] = new(View, 0) }; // ignored while synced
        Assert.False(Has(world.Of("nobody", "cat"), View));
        Assert.False(Has(world.Of("nobody", "synced"), View));
        Assert.True(Has(world.Of("mod", "synced"), View));
        Assert.True(Has(world.Of("nobody", "unsynced"), View));

        world.UserOverrides["cat"] = new() { ["helper"] = new(View, 0) };
        Assert.True(Has(world.Of("helper", "synced"), View));
        Assert.False(Has(world.Of("helper", "unsynced"), Permission.ManageMessages));
    }

    [Fact]
    public void Timeouts_leave_only_view_and_history_until_they_end()
    {
        var world = new World();
        world.Timeouts["mod"] = Now.AddMinutes(10);
        var during = world.Of("mod", "general");
        Assert.Equal(View | History, during);
        Assert.Equal(View | History, world.Of("mod"));
        Assert.Equal(Permission.EveryoneDefault | world.Mod, world.Of("mod", "general", Now.AddMinutes(11)));
        Assert.Equal(Permission.EveryoneDefault, world.Of("nobody", "general"));
    }

    [Fact]
    public void Role_hierarchy_positions()
    {
        var data = new World().Data();
        Assert.Equal(int.MaxValue, PermissionResolver.HighestPosition(data, "owner"));
        Assert.Equal(3, PermissionResolver.HighestPosition(data, "admin"));
        Assert.Equal(2, PermissionResolver.HighestPosition(data, "both"));
        Assert.Equal(1, PermissionResolver.HighestPosition(data, "helper"));
        Assert.Equal(0, PermissionResolver.HighestPosition(data, "nobody"));
    }

    [Fact]
    public void Unknown_channels_grant_nothing()
    {
        Assert.Equal(0, new World().Of("mod", "nope"));
        Assert.Equal(0, new World().Of("owner", "nope"));
    }

    /// <summary>The cached snapshot must agree with the reference implementation for every user and channel, in many random worlds.</summary>
    [Fact]
    public void The_snapshot_agrees_with_the_reference_for_random_configurations()
    {
        var random = new Random(1234);
        var users = new[] { "owner", "nobody", "mod", "helper", "both", "admin" };
        var channels = new[] { "general", "private", "cat", "synced", "unsynced" };
        long RandomBits() => Permission.Definitions()[random.Next(Permission.Definitions().Count)] is var d && random.Next(3) == 0 ? 0 : (1L << d.Bit) | (random.Next(2) == 0 ? View : 0);
        for (var round = 0; round < 300; round++)
        {
            var world = new World { Everyone = random.Next(4) == 0 ? 0 : Permission.EveryoneDefault, Mod = RandomBits() | RandomBits(), Helper = RandomBits() };
            foreach (var channel in channels)
            {
                if (random.Next(2) == 0)
                {
                    world.RoleOverrides[channel] = new() { ["r_every"] = new(RandomBits() & Permission.ChannelScoped, RandomBits() & Permission.ChannelScoped) };
                    if (random.Next(2) == 0) world.RoleOverrides[channel]["r_mod"] = new(RandomBits() & Permission.ChannelScoped, RandomBits() & Permission.ChannelScoped);
                    if (random.Next(2) == 0) world.RoleOverrides[channel]["r_helper"] = new(RandomBits() & Permission.ChannelScoped, 0);
                }

                if (random.Next(3) == 0)
                {
                    world.UserOverrides[channel] = new() { [users[random.Next(users.Length)]] = new(RandomBits() & Permission.ChannelScoped, RandomBits() & Permission.ChannelScoped) };
                }
            }

            if (random.Next(3) == 0) world.Timeouts[users[random.Next(users.Length)]] = Now.AddMinutes(random.Next(-5, 5));
            var data = world.Data();
            var snapshot = new PermissionSnapshot(data, channels.Select((c, i) => new Channel(c, "com", c, 0, null, data.Channels[c].ParentId, i, Now)).ToList());
            foreach (var user in users.Append("stranger"))
            {
                Assert.Equal(PermissionResolver.Compute(data, user, null, Now), snapshot.Base(user, Now));
                foreach (var channel in channels)
                {
                    var expected = PermissionResolver.Compute(data, user, channel, Now);
                    Assert.Equal(expected, snapshot.For(user, channel, Now));
                    Assert.Equal(Has(PermissionResolver.Compute(data, user, channel, Now.AddYears(-10)), View), snapshot.CanView(user, channel));
                }
            }
        }
    }

    [Theory]
    [InlineData("\"73614367\"", 73614367L)]
    [InlineData("73614367", 73614367L)]
    [InlineData("\"0\"", 0L)]
    [InlineData("\"9223372036854775807\"", long.MaxValue)]
    public void Bitfields_are_read_from_strings_or_numbers(string json, long expected)
    {
        var request = JsonSerializer.Deserialize($"{{\"allow\": {json}}}", VoxoraJsonContext.Default.SetOverrideRequest);
        Assert.Equal(expected, request!.Allow);
        var role = JsonSerializer.Deserialize($"{{\"id\":\"r\",\"community_id\":\"c\",\"name\":\"n\",\"permissions\":{json},\"position\":0,\"is_everyone\":false,\"created_at\":\"2026-01-01T00:00:00Z\"}}", VoxoraJsonContext.Default.Role);
        Assert.Equal(expected, role!.Permissions);
    }

    [Theory]
    [InlineData("\"-1\"")]
    [InlineData("-1")]
    [InlineData("\"abc\"")]
    [InlineData("\"\"")]
    [InlineData("\" 12\"")]
    [InlineData("\"1e3\"")]
    [InlineData("1.5")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("\"99999999999999999999\"")]
    public void Bad_bitfields_are_refused(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize($"{{\"allow\": {json}}}", VoxoraJsonContext.Default.SetOverrideRequest));

    [Fact]
    public void Bitfields_are_written_as_decimal_strings_and_null_stays_null()
    {
        var json = JsonSerializer.Serialize(new ChannelOverride("c", "role", "r", 1L << 40, 3), VoxoraJsonContext.Default.ChannelOverride);
        Assert.Contains("\"allow\":\"1099511627776\"", json, StringComparison.Ordinal);
        Assert.Contains("\"deny\":\"3\"", json, StringComparison.Ordinal);
        Assert.Null(JsonSerializer.Deserialize("{\"allow\": null}", VoxoraJsonContext.Default.SetOverrideRequest)!.Allow);
        Assert.Equal("{}", JsonSerializer.Serialize(new SetOverrideRequest(), VoxoraJsonContext.Default.SetOverrideRequest));
    }
}
