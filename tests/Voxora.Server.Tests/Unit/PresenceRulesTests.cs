using System.Text.Json;
using Voxora.Protocol;
using Voxora.Server.Features.Presence;

namespace Voxora.Server.Tests.Unit;

public sealed class PresenceRulesTests
{
    [Theory]
    [InlineData("online", "online")]
    [InlineData("idle", "idle")]
    [InlineData("dnd", "dnd")]
    [InlineData("invisible", "offline")]
    public void Others_see_invisible_as_offline(string status, string visible) => Assert.Equal(visible, PresenceRules.Visible(status));

    [Theory]
    [InlineData("online", true)]
    [InlineData("idle", true)]
    [InlineData("dnd", true)]
    [InlineData("invisible", true)]
    [InlineData("offline", false)]
    [InlineData("Online", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_the_four_statuses_can_be_chosen(string? status, bool valid) =>
        Assert.Equal(valid ? status : null, PresenceRules.Requested(new PresenceUpdateRequest(status)));

    [Fact]
    public void Activities_must_be_empty_or_missing()
    {
        Assert.Equal("dnd", PresenceRules.Requested(new PresenceUpdateRequest("dnd", [])));
        Assert.Null(PresenceRules.Requested(new PresenceUpdateRequest("dnd", [JsonSerializer.SerializeToElement(new { name = "x" })])));
        Assert.Null(PresenceRules.Requested(null));
    }

    [Fact]
    public async Task The_local_store_announces_only_what_others_see_change_and_offline_only_after_the_grace()
    {
        var store = new LocalPresenceStore();
        Assert.Equal(new PresenceChange(null, "online", "online"), await store.ConnectAsync("usr_a", null));
        Assert.Equal(new PresenceChange("online", "online", null), await store.ConnectAsync("usr_a", null));
        Assert.Equal(new PresenceChange("online", "invisible", "offline"), await store.SetAsync("usr_a", "invisible"));
        Assert.Equal(new PresenceChange("invisible", "dnd", "dnd"), await store.SetAsync("usr_a", "dnd"));
        Assert.Equal(new Dictionary<string, string> { ["usr_a"] = "dnd" }, await store.AnnouncedAsync());

        await store.DisconnectAsync("usr_a", 1000);
        Assert.Equal((true, "dnd"), await store.GetAsync("usr_a"));
        await store.DisconnectAsync("usr_a", 1000);
        Assert.Equal((false, "dnd"), await store.GetAsync("usr_a"));
        Assert.Empty(await store.ExpireAsync(999));

        // Back within the grace: the chosen status stays and nothing is announced.
        Assert.Equal(new PresenceChange("dnd", "dnd", null), await store.ConnectAsync("usr_a", null));
        Assert.Empty(await store.ExpireAsync(5000));
        await store.DisconnectAsync("usr_a", 6000);
        Assert.Equal(["usr_a"], await store.ExpireAsync(6000));
        Assert.Equal((false, null), await store.GetAsync("usr_a"));
        Assert.Empty(await store.AnnouncedAsync());

        // An invisible user's grace ends without an announcement: others already saw offline.
        await store.ConnectAsync("usr_b", "invisible");
        await store.DisconnectAsync("usr_b", 10);
        Assert.Empty(await store.ExpireAsync(10));
        Assert.Equal((false, null), await store.GetAsync("usr_b"));
    }
}
