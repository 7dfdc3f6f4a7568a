using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Threads as two people see them: alice starts a thread on bob's message, bob opens it from the message's thread
/// summary and answers in the side panel, and alice sees the answer there and the count on the parent message.
/// </summary>
public sealed class ThreadsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static ILocator MainList(IPage page) => page.GetByTestId("channel-view").GetByTestId("message-list");

    private static ILocator Row(ILocator list, string text) =>
        list.Locator("[data-testid^='message-']:not([data-testid='message-content'])").Filter(new() { HasText = text });

    [Fact]
    public async Task Alice_starts_a_thread_on_bobs_message_and_bob_answers_in_the_side_panel()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        try
        {
            await ChatInTheBrowserTests.RegisterAsync(alice, ChatInTheBrowserTests.NewName("alice"));
            await ChatInTheBrowserTests.CreateCommunityAsync(alice, "Raid Guild");
            await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Raid Guild") }).ClickAsync();
            await alice.GetByTestId("open-invite").ClickAsync();
            await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
            var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
            await alice.Keyboard.PressAsync("Escape");

            await ChatInTheBrowserTests.RegisterAsync(bob, ChatInTheBrowserTests.NewName("bob"), invitePath);
            await bob.GetByTestId("accept-invite").ClickAsync();
            await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();

            // Bob asks; alice starts a thread on his message from its menu.
            await ChatInTheBrowserTests.SendAsync(bob, "Who is up for the raid on Friday?");
            var question = Row(MainList(alice), "Who is up for the raid on Friday?");
            await Expect(question).ToHaveCountAsync(1);
            await question.HoverAsync();
            await question.GetByTestId("create-thread").ClickAsync();
            var dialog = alice.GetByTestId("create-thread-dialog");
            await dialog.GetByLabel("Thread name").FillAsync("Friday raid");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create thread" }).ClickAsync();
            var alicePanel = alice.GetByTestId("thread-panel");
            await Expect(alicePanel.GetByTestId("thread-name")).ToHaveTextAsync("Friday raid");

            // Bob sees the thread on his message, live, and opens it from there.
            var bobSummary = Row(MainList(bob), "Who is up for the raid on Friday?").GetByTestId("thread-summary");
            await Expect(bobSummary).ToContainTextAsync("Friday raid");
            await Expect(bobSummary).ToContainTextAsync("0 messages");
            await bobSummary.ClickAsync();
            var bobPanel = bob.GetByTestId("thread-panel");
            await Expect(bobPanel.GetByTestId("thread-name")).ToHaveTextAsync("Friday raid");
            await Expect(bobPanel.GetByTestId("thread-join")).ToBeVisibleAsync();

            // He answers in the side panel: the answer is in the thread, not in the channel.
            var composer = bobPanel.GetByTestId("composer");
            await composer.FillAsync("Count me in, I can tank");
            await composer.PressAsync("Enter");
            await Expect(Row(bobPanel.GetByTestId("message-list"), "Count me in, I can tank")).ToHaveCountAsync(1);
            await Expect(bobPanel.GetByTestId("thread-leave")).ToBeVisibleAsync();

            // Alice sees the answer in her panel and the count on the parent message; the channel itself stays as it was.
            await Expect(Row(alicePanel.GetByTestId("message-list"), "Count me in, I can tank")).ToHaveCountAsync(1);
            var aliceSummary = question.GetByTestId("thread-summary");
            await Expect(aliceSummary).ToContainTextAsync("1 message");
            await Expect(aliceSummary).ToContainTextAsync("last activity");
            await Expect(Row(MainList(alice), "Count me in, I can tank")).ToHaveCountAsync(0);
            await Expect(alicePanel.GetByTestId("thread-members")).ToHaveTextAsync("2 members");

            // The channel's thread list shows it.
            await alice.GetByTestId("threads-toggle").ClickAsync();
            await Expect(alice.GetByTestId("thread-list")).ToContainTextAsync("Friday raid");
            await Expect(alice.GetByTestId("thread-list")).ToContainTextAsync("1 message");
            await alice.GetByTestId("threads-toggle").ClickAsync();
            await BrowserFixture.ScreenshotAsync(alice, "thread");
            await BrowserFixture.ScreenshotAsync(bob, "thread-bob");
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            await BrowserFixture.ScreenshotAsync(alice, "failed-thread-alice");
            await BrowserFixture.ScreenshotAsync(bob, "failed-thread-bob");
            throw;
        }
    }
}
