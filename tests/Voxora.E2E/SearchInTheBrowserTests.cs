using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Message search as a person uses it: alice writes in two channels and bob (on a phone) in one; alice searches a word
/// from the channel header and sees the count, the matches marked and the hits under their channels; sorts by newest;
/// narrows with <c>in:</c> and <c>from:</c> (picked from the suggestions with the keyboard); an unknown name is an
/// inline error, not a request; opening the hit takes her to its channel with the message highlighted. On bob's
/// 360 px phone the results cover the whole width and Escape closes them.
/// </summary>
public sealed class SearchInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        // Confirmed by the server (a pending row has no message id yet): only stored messages can be found.
        await Expect(page.GetByTestId("message-list").Locator("article[data-message-id]", new() { HasText = text })).ToHaveCountAsync(1);
    }

    private static async Task SearchAsync(IPage page, string query)
    {
        var box = page.GetByRole(AriaRole.Combobox, new() { Name = "Search this community" });
        await box.FillAsync(query);
        await box.PressAsync("Enter");
    }

    [Fact]
    public async Task A_person_searches_narrows_with_filters_and_opens_a_result_highlighted_in_its_channel()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync(360, 740);
        await RegisterAsync(alice, NewName("alice"));
        var invitePath = await CreateCommunityWithInviteAsync(alice, "Garden Club");
        var bobName = NewName("bob");
        await RegisterAsync(bob, bobName, invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        var general = (await alice.GetByTestId("channel-view").GetAttributeAsync("data-channel-id"))!;

        await SendAsync(alice, "The tomatoes are ripening early this year");
        await SendAsync(bob, "My tomatoes got blight again");
        await Expect(alice.GetByTestId("message-list")).ToContainTextAsync("My tomatoes got blight again");
        await SendAsync(alice, "Seed swap on Sunday at noon");

        await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Garden Club") }).ClickAsync();
        await alice.GetByTestId("open-create-channel").ClickAsync();
        await alice.GetByTestId("create-channel-dialog").GetByLabel("Name").FillAsync("veggies");
        await alice.GetByTestId("create-channel-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(alice.GetByTestId("channel-view").GetByRole(AriaRole.Heading)).ToContainTextAsync("veggies");
        await SendAsync(alice, "Tomatoes and basil grow well together");
        await SendAsync(alice, "Rows of tomatoes need stakes");
        await SendAsync(alice, "Watering twice a week is plenty");

        // One word, the whole community: four messages in two channels, each match marked.
        await SearchAsync(alice, "tomatoes");
        var panel = alice.GetByTestId("search-panel");
        await Expect(panel.GetByRole(AriaRole.Heading, new() { Name = "Search results" })).ToBeVisibleAsync();
        await Expect(panel.GetByTestId("search-count")).ToHaveTextAsync("4 results");
        await Expect(panel.GetByTestId("search-hit")).ToHaveCountAsync(4);
        await Expect(panel.GetByTestId("search-group-name")).ToHaveCountAsync(2);
        await Expect(panel.GetByTestId("search-group-name").Filter(new() { HasText = "#general" })).ToHaveCountAsync(1);
        await Expect(panel.GetByTestId("search-group-name").Filter(new() { HasText = "#veggies" })).ToHaveCountAsync(1);
        var marks = panel.Locator("mark");
        await Expect(marks).ToHaveCountAsync(4);
        foreach (var mark in await marks.AllAsync())
        {
            await Expect(mark).ToHaveTextAsync(new Regex("^[Tt]omatoes$"));
        }

        // (Other hits show it too, as their context: the hit is the one whose own content it is.)
        var blight = panel.GetByTestId("search-hit").Filter(new() { Has = alice.GetByTestId("search-hit-content").Filter(new() { HasText = "blight" }) });
        await Expect(blight.GetByTestId("search-hit-content")).ToHaveTextAsync("My tomatoes got blight again");
        await Expect(blight.Locator("mark")).ToHaveTextAsync("tomatoes");
        // The message written just before it in general is shown, dimmed, as context.
        await Expect(blight.GetByTestId("search-context").First).ToContainTextAsync("The tomatoes are ripening early this year");
        await BrowserFixture.ScreenshotAsync(alice, "search");

        // Newest first: veggies holds the latest match.
        await panel.GetByRole(AriaRole.Button, new() { Name = "Newest" }).ClickAsync();
        await Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Newest" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(panel.GetByTestId("search-group-name").First).ToHaveTextAsync("#veggies");
        await Expect(panel.GetByTestId("search-hit-content").First).ToHaveTextAsync("Rows of tomatoes need stakes");

        // in: narrows to a channel.
        await SearchAsync(alice, "tomatoes in:general");
        await Expect(panel.GetByTestId("search-count")).ToHaveTextAsync("2 results");
        await Expect(panel.GetByTestId("search-group-name")).ToHaveTextAsync(["#general"]);

        // An unknown name is said inline and nothing is searched.
        await SearchAsync(alice, "tomatoes from:nobodyhere");
        await Expect(alice.GetByTestId("search-error")).ToHaveTextAsync("Nobody called “nobodyhere” in this community (from:).");
        await Expect(panel.GetByTestId("search-count")).ToHaveTextAsync("2 results");

        // from: picked from the suggestions with the keyboard.
        var box = alice.GetByRole(AriaRole.Combobox, new() { Name = "Search this community" });
        await box.FillAsync("tomatoes in:general from:bo");
        var suggestions = alice.GetByRole(AriaRole.Listbox, new() { Name = "Search filters" });
        await Expect(suggestions.GetByRole(AriaRole.Option)).ToHaveTextAsync([bobName]);
        await Expect(box).ToHaveAttributeAsync("aria-expanded", "true");
        await box.PressAsync("Enter");
        await Expect(box).ToHaveValueAsync($"tomatoes in:general from:{bobName} ");
        await box.PressAsync("Enter");
        await Expect(panel.GetByTestId("search-count")).ToHaveTextAsync("1 result");
        await Expect(panel.GetByTestId("search-hit-content")).ToHaveTextAsync("My tomatoes got blight again");

        // Opening it: alice is in veggies; general opens with bob's message highlighted.
        await Expect(alice.GetByTestId("channel-view")).Not.ToHaveAttributeAsync("data-channel-id", general);
        await panel.GetByTestId("search-hit-open").ClickAsync();
        await Expect(alice.GetByTestId("channel-view")).ToHaveAttributeAsync("data-channel-id", general);
        var opened = alice.GetByTestId("message-list").GetByRole(AriaRole.Article, new() { NameRegex = new Regex("My tomatoes got blight again") });
        await Expect(opened).ToHaveAttributeAsync("data-highlighted", "true");
        await Expect(opened).ToBeInViewportAsync();
        await BrowserFixture.ScreenshotAsync(alice, "search-opened");

        // On a 360 px phone the results take the whole width, and Escape closes them.
        await bob.GetByRole(AriaRole.Combobox, new() { Name = "Search this community" }).FillAsync("blight");
        await bob.GetByRole(AriaRole.Combobox, new() { Name = "Search this community" }).PressAsync("Enter");
        var bobsPanel = bob.GetByTestId("search-panel");
        await Expect(bobsPanel.GetByTestId("search-count")).ToHaveTextAsync("1 result");
        var box360 = await bobsPanel.BoundingBoxAsync();
        Assert.NotNull(box360);
        Assert.Equal(360, box360.Width, 1.0);
        await bobsPanel.GetByTestId("search-hit-open").FocusAsync();
        await bob.Keyboard.PressAsync("Escape");
        await Expect(bobsPanel).ToHaveCountAsync(0);

        Assert.Empty(fixture.PageErrors);
    }
}
