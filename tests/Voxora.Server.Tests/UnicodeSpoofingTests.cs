using System.Net;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Security review finding 7, "Unicode spoofing": every human-visible name or short text refuses
/// direction-changing, zero-width and other invisible characters with a 400 naming the field and
/// changes nothing; real emoji sequences stay valid; a display name cannot copy someone else's username.
/// </summary>
public abstract class UnicodeSpoofingTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    /// <summary>Right-to-left override, first-strong isolate, zero-width space, byte order mark, and text made only of invisible characters.</summary>
    public static TheoryData<string> Hidden() => new()
    {
        "evil\u202Egnp.exe",
        "\u2066admin\u2069",
        "ad\u200Bmin",
        "\uFEFFname",
        "\u200B\u2060\u3164",
    };

    private static async Task RefusedFor(string field, Func<Task> call)
    {
        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, call);
        Assert.NotNull(error.Problem?.Errors);
        Assert.Contains(field, error.Problem!.Errors!.Keys);
    }

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task Display_names_refuse_invisible_characters_and_change_nothing(string hidden)
    {
        var (client, _, _) = await Server.NewUserAsync("dnh");
        using var _c = client;
        await client.UpdateMeAsync("Kept");
        await RefusedFor("display_name", () => client.UpdateMeAsync(hidden));
        Assert.Equal("Kept", (await client.GetMeAsync()).DisplayName);
    }

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task Community_names_and_descriptions_refuse_invisible_characters_and_change_nothing(string hidden)
    {
        var (owner, _, community) = await Server.NewCommunityAsync("Kept name");
        using var _o = owner;
        await RefusedFor("name", () => owner.CreateCommunityAsync(hidden));
        await RefusedFor("description", () => owner.CreateCommunityAsync("Fine", hidden));
        await RefusedFor("name", () => owner.UpdateCommunityAsync(community.Id, name: hidden));
        await RefusedFor("description", () => owner.UpdateCommunityAsync(community.Id, description: hidden));
        var stored = await owner.GetCommunityAsync(community.Id);
        Assert.Equal(("Kept name", (string?)null), (stored.Name, stored.Description));
    }

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task Channel_names_and_topics_refuse_invisible_characters_and_change_nothing(string hidden)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var text = community.TextChannel();
        var voice = community.VoiceChannel();
        await RefusedFor("name", () => owner.CreateChannelAsync(community.Id, new CreateChannelRequest(hidden, ChannelTypes.Text)));
        await RefusedFor("name", () => owner.CreateChannelAsync(community.Id, new CreateChannelRequest(hidden, ChannelTypes.Voice)));
        await RefusedFor("topic", () => owner.CreateChannelAsync(community.Id, new CreateChannelRequest("fine", ChannelTypes.Text, Topic: hidden)));
        await RefusedFor("name", () => owner.UpdateChannelAsync(text.Id, new UpdateChannelRequest(Name: hidden)));
        await RefusedFor("name", () => owner.UpdateChannelAsync(voice.Id, new UpdateChannelRequest(Name: hidden)));
        await RefusedFor("topic", () => owner.UpdateChannelAsync(text.Id, new UpdateChannelRequest(Topic: hidden)));

        Assert.Equal((text.Name, text.Topic), ((await owner.GetChannelAsync(text.Id)).Name, (await owner.GetChannelAsync(text.Id)).Topic));
        Assert.Equal(voice.Name, (await owner.GetChannelAsync(voice.Id)).Name);
        Assert.Equal(community.Channels!.Count, (await owner.GetCommunityAsync(community.Id)).Channels!.Count);
    }

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task Role_names_refuse_invisible_characters_and_change_nothing(string hidden)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var role = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("Moderators"));
        await RefusedFor("name", () => owner.CreateRoleAsync(community.Id, new CreateRoleRequest(hidden)));
        await RefusedFor("name", () => owner.UpdateRoleAsync(community.Id, role.Id, new UpdateRoleRequest(Name: hidden)));
        var roles = await owner.GetRolesAsync(community.Id);
        Assert.Equal(["@everyone", "Moderators"], roles.Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pod_role_names_refuse_invisible_characters_and_change_nothing()
    {
        // The first user of a fresh server owns the pod.
        await using var server = await TestServer.StartAsync(fixture.Provider);
        var (owner, _, _) = await server.NewUserAsync("podown");
        using var _o = owner;
        var before = (await owner.GetPodRolesAsync()).Count;
        foreach (var hidden in Hidden())
        {
            await RefusedFor("name", () => owner.CreatePodRoleAsync(new CreatePodRoleRequest(hidden)));
        }

        Assert.Equal(before, (await owner.GetPodRolesAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task Ban_and_report_reasons_refuse_invisible_characters_and_change_nothing(string hidden)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var channel = community.TextChannel().Id;
        var message = await owner.SendMessageAsync(channel, "report me");

        await RefusedFor("reason", () => member.ReportMessageAsync(channel, message.Id, hidden));
        Assert.Empty(await member.GetMyReportsAsync());
        var report = await member.ReportMessageAsync(channel, message.Id, "spam");
        await RefusedFor("note", () => owner.ResolveReportAsync(community.Id, report.Id, ReportStatus.Resolved, hidden));
        Assert.Equal(ReportStatus.Open, Assert.Single(await owner.GetReportsAsync(community.Id)).Status);

        await RefusedFor("reason", () => owner.BanAsync(community.Id, memberUser.Id, hidden));
        Assert.Empty(await owner.GetBansAsync(community.Id));
    }

    [Theory]
    [InlineData("👍\u202E")]
    [InlineData("\u2066👍\u2069")]
    [InlineData("👍\u200B")]
    [InlineData("\uFEFF👍")]
    [InlineData("👍\u200D")]
    [InlineData("\u200B\u2060")]
    public async Task Reactions_refuse_invisible_characters_and_change_nothing(string emoji)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var message = await owner.SendMessageAsync(channel, "react to me");
        await RefusedFor("emoji", () => owner.AddReactionAsync(channel, message.Id, emoji));
        Assert.Empty((await owner.GetMessagesAsync(channel)).Single(m => m.Id == message.Id).Reactions);
    }

    [Theory]
    [InlineData("👨‍👩‍👧")]
    [InlineData("❤️")]
    [InlineData("🏴󠁧󠁢󠁳󠁣󠁴󠁿")]
    [InlineData("🏳️‍🌈")]
    [InlineData("👩🏽‍💻")]
    public async Task Real_emoji_sequences_with_joiners_selectors_and_tags_still_work_as_reactions(string emoji)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var message = await owner.SendMessageAsync(channel, "react to me");
        await owner.AddReactionAsync(channel, message.Id, emoji);
        var reaction = Assert.Single((await owner.GetMessagesAsync(channel)).Single(m => m.Id == message.Id).Reactions);
        Assert.Equal(emoji, reaction.Emoji);
    }

    [Theory]
    [InlineData("\u202Etxt.exe")]
    [InlineData("look \u2066here\u2069")]
    [InlineData("if (isAdmin) { \u202E } \u2066 begin admins only")]
    public async Task Message_content_refuses_direction_overrides_and_isolates(string content)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        await RefusedFor("content", () => owner.SendMessageAsync(channel, content));
        var sent = await owner.SendMessageAsync(channel, "original");
        await RefusedFor("content", () => owner.EditMessageAsync(channel, sent.Id, content));
        var stored = Assert.Single(await owner.GetMessagesAsync(channel));
        Assert.Equal("original", stored.Content);
    }

    [Theory]
    [InlineData("👨‍👩‍👧 family")]
    [InlineData("می‌خواهم")]
    [InlineData("שלום \u200Fworld")]
    public async Task Message_content_keeps_joiners_in_emoji_and_scripts_and_direction_marks(string content)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var message = await owner.SendMessageAsync(community.TextChannel().Id, content);
        Assert.Equal(content, message.Content);
    }

    [Fact]
    public async Task Names_keep_real_emoji_and_script_joiners()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        // A family emoji (ZWJ), a heart with VS16, the Scotland flag (tags), Persian with ZWNJ, Sinhala with ZWJ.
        const string name = "👨‍👩‍👧 ❤️ 🏴󠁧󠁢󠁳󠁣󠁴󠁿 می‌خواهم ශ්‍රී";
        Assert.Equal(name, (await owner.UpdateCommunityAsync(community.Id, name: name)).Name);
        Assert.Equal(name, (await owner.CreateRoleAsync(community.Id, new CreateRoleRequest(name))).Name);
        Assert.Equal("👨‍👩‍👧 ❤️", (await owner.UpdateMeAsync("👨‍👩‍👧 ❤️")).DisplayName);
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("{1}")]
    [InlineData("  {1}  ")]
    [InlineData("@{0}")]
    [InlineData("{2}")]
    [InlineData("{3}")]
    public async Task A_display_name_that_copies_another_users_username_is_refused(string pattern)
    {
        var (victim, victimUser, _) = await Server.NewUserAsync("avo");
        using var _v = victim;
        var (impostor, _, _) = await Server.NewUserAsync("imp");
        using var _i = impostor;
        await impostor.UpdateMeAsync("Kept");

        var username = victimUser.Username;
        var fullWidth = string.Concat(username.Select(c => c is >= '!' and <= '~' ? (char)(c - '!' + '\uFF01') : c));
        // Latin 'a', 'e', 'o' swapped for their Cyrillic look-alikes; the test usernames always contain one of them.
        var cyrillic = username.ToLowerInvariant().Replace('a', '\u0430').Replace('e', '\u0435').Replace('o', '\u043E');
        Assert.NotEqual(username.ToLowerInvariant(), cyrillic);
        var copy = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, username, username.ToUpperInvariant(), fullWidth, cyrillic);

        await RefusedFor("display_name", () => impostor.UpdateMeAsync(copy));
        Assert.Equal("Kept", (await impostor.GetMeAsync()).DisplayName);

        // Your own username is yours to show.
        Assert.Equal(username.ToUpperInvariant(), (await victim.UpdateMeAsync(username.ToUpperInvariant())).DisplayName);
    }
}

public sealed class UnicodeSpoofingTestsOnSqlite(SqliteServerFixture fixture) : UnicodeSpoofingTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class UnicodeSpoofingTestsOnPostgres(PostgresServerFixture fixture) : UnicodeSpoofingTests(fixture), IClassFixture<PostgresServerFixture>;
