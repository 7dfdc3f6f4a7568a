using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Files as two people see them (issue 16, web client): alice drops two images onto the channel (the drop zone
/// shows; each file shows its progress while its upload is held), sends them without text, and bob sees them in a
/// grid and opens them in the lightbox (arrow keys, Escape, close button); alice pastes an image and sends it
/// with text; she sends a text file and bob downloads it from its card; a file over 25 MiB is refused with its
/// reason before any request is made. No script error or CSP violation on the way.
/// </summary>
public sealed class AttachmentsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    // 320×200 blue and amber checks, and 200×300 green and red stripes (real PNGs: the server sniffs and thumbnails them).
    internal const string ChecksPng =
        "iVBORw0KGgoAAAANSUhEUgAAAUAAAADICAIAAAAWZq/8AAADtElEQVR42u3TAQkAIBAEQTOZxgIWNJmYwBIH8jJggfF+25jnydurP3m8vD95m4F5eQVsYF5eARuYl1fABuYVsIF5eQVsYF5eARuYl1fADppXwAbm5RWwgXl5BWxgXgEbmJdXwAbm5RWwgXl5BWxgXgEbmJdXwAbm5RWwgXl5BczLK2AD8/IK2MC8vAI2MK+ADczLK2AD8/IK2MC8vAJ20LwCNjAvr4ANzMsrYAPz8gqYl1fABublFbCBeXkFbGBeARuYl1fABublFbCBeXkF7KB5BWxgXl4BG5iXNxKwj+blresVMC+vgA3MyytgA/PyCtjAvAI2MC+vgA3MyytgA/PyCthB8wrYwLy8AjYwL6+ADcwrYAPz8grYwLy8AjYwL6+ADcwrYAPz8grYwLy8AjYwL6+AeXkFbGBeXgEbmJdXwAbmFbCBeXkFbGBeXgEbmJdXwA6aV8AG5uUVsIF5eQVsYF5eAfPyCtjAvLwCNjAvr4ANzCtgA/PyCtjAvLwCNjAvr4AdNK+ADczLK2AD8/JmAvbRvLx1vQLm5RWwgXl5BWxgXl4BG5hXwAbm5RWwgXl5BWxgXl4BO2heARuYl1fABublFbCBeQVsYF5eARuYl1fABublFbCBeQVsYF5eARuYl1fABublFTAvr4ANzMsrYAPz8grYwLwCNjAvr4ANzMsrYAPz8grYQfMK2MC8vAI2MC+vgA3MyytgXl4BG5iXV8AG5uUVsIF5BWxgXl4BG5iXV8AG5uUVsIPmFbCBeXkFbGBe3kzAPpqXt65XwLy8AjYwL6+ADczLK2AD8wrYwLy8AjYwL6+ADczLK2AHzStgA/PyCtjAvLwCNjCvgA3MyytgA/PyCtjAvLwCNjCvgA3MyytgA/PyCtjAvLwC5uUVsIF5eQVsYF5eARuYV8AG5uUVsIF5eQVsYF5eATtoXgEbmJdXwAbm5RWwgXl5BczLK2AD8/IK2MC8vAI2MK+ADczLK2AD8/IK2MC8vAJ20LwCNjAvr4ANzMubCdhH8/LW9QqYl1fABublFbCBeXkFbGBeARuYl1fABublFbCBeXkF7KB5BWxgXl4BG5iXV8AG5hWwgXl5BWxgXl4BG5iXV8AG5hWwgXl5BWxgXl4BG5iXV8C8vAI2MC+vgA3MyytgA/MK2MC8vAI2MC+vgA3MyytgB80rYAPz8grYwLy8AjYwL6+AeXkFbGBeXgEbmJdXwAbmFbCBeXkFbGBeXgEbmJdXwA6aV8AG5uUVsIF5eSPvAqJqELp7iPOGAAAAAElFTkSuQmCC";

    internal const string StripesPng =
        "iVBORw0KGgoAAAANSUhEUgAAAMgAAAEsCAIAAAAJmGvpAAACSUlEQVR42u3cUQkAIBBEQbvYygiCsexnBEvcx8EOTILlfe+Yd0G5YQKEhbAQFggLYSEsEBbCQlggLISFsEBYCAthgbAQFsICYSEshAXCQlgIC4SFsBAWCItmYb19oJywEBbCQlhWQFgIC2GBsBAWwgJhISyEBcJCWAgLhIWwEBYIC2EhLBAWwkJYICyEhbBAWHQLy+EO/rEQFsICYSEshAXCQlgIC4SFsBAWCAthISwQFsJCWCAshIWwQFgIC2GBsBAWwgJhISwSwnK4g38shIWwQFgIC2GBsBAWwgJhISyEBcJCWAgLhIWwEBYIC2EhLBAWwkJYICyEhbBAWAiLhLAc7uAfC2EhLBAWwkJYICyEhbBAWAgLYYGwEBbCAmEhLIQFwkJYCAuEhbAQFggLYSEsEBbCIiEshzv4x0JYCAuEhbAQFggLYSEsEBbCQlggLISFsEBYCAthgbAQFsICYSEshAXCQlgIC4SFsEgIy+EO/rEQFsICYSEshAXCQlgIC4SFsBAWCAthISwQFsJCWCAshIWwQFgIC2GBsBAWwgJhISwSwnK4g38shIWwQFgIC2GBsBAWwgJhISyEBcJCWAgLhIWwEBYIC2EhLBAWwkJYICyEhbBAWAiLhLAc7uAfC2EhLBAWwkJYICyEhbBAWAgLYYGwEBbCAmEhLIQFwkJYCAuEhbAQFggLYSEsEBbCIiEshzv4x0JYCAuEhbAQFggLYSEsEBbCQlggLISFsEBYCAthgbAQFsICYSEshAXCQlgIC4SFsAjwAVbjHKw/LQ2kAAAAAElFTkSuQmCC";

    /// <summary>Dispatches dragenter and dragover (and, if asked, drop) with real File objects, as a drag from the desktop does.</summary>
    private const string DragFilesScript = """
        async ([selector, files, drop]) => {
            const dt = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), c => c.charCodeAt(0));
                dt.items.add(new File([bytes], f.name, { type: f.type }));
            }
            const target = document.querySelector(selector);
            for (const type of drop ? ['drop'] : ['dragenter', 'dragover'])
                target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
        }
        """;

    private const string PasteFileScript = """
        async ([b64, name]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([Uint8Array.from(atob(b64), c => c.charCodeAt(0))], name, { type: 'image/png' }));
            const box = document.querySelector('[data-testid="composer"]');
            box.focus();
            box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        }
        """;

    private static string ImageLoaded(string alt) =>
        $"() => [...document.querySelectorAll('img[alt=\"{alt}\"]')].some(i => i.complete && i.naturalWidth > 0)";

    [Fact]
    public async Task Alice_drops_pastes_and_attaches_files_and_bob_sees_the_images_the_lightbox_and_a_file_card()
    {
        var bob = await fixture.NewPageAsync();
        var alice = await fixture.NewPageAsync();
        await ChatInTheBrowserTests.RegisterAsync(bob, ChatInTheBrowserTests.NewName("bob"));
        await ChatInTheBrowserTests.CreateCommunityAsync(bob, "Photo Club");
        await bob.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Photo Club") }).ClickAsync();
        await bob.GetByTestId("open-invite").ClickAsync();
        await Expect(bob.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await bob.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await bob.Keyboard.PressAsync("Escape");
        await ChatInTheBrowserTests.RegisterAsync(alice, ChatInTheBrowserTests.NewName("alice"), invitePath);
        await alice.GetByTestId("accept-invite").ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();

        var creates = 0;
        alice.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.EndsWith("/attachments", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref creates);
            }
        };

        // Too big: refused with its reason before any request.
        await alice.EvaluateAsync("""
            () => {
                const input = document.querySelector('[data-testid="attach-input"]');
                const dt = new DataTransfer();
                dt.items.add(new File([new Uint8Array(26 * 1024 * 1024)], 'holiday.mp4', { type: 'video/mp4' }));
                input.files = dt.files;
                input.dispatchEvent(new Event('change', { bubbles: true }));
            }
            """);
        var refused = alice.GetByTestId("upload-item").Filter(new() { HasText = "holiday.mp4" });
        await Expect(refused).ToHaveAttributeAsync("data-status", "error");
        await Expect(refused.GetByTestId("upload-error")).ToHaveTextAsync("Too big: 26 MB (at most 25 MB per file).");
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Send message" })).ToBeDisabledAsync();
        await BrowserFixture.ScreenshotAsync(alice, "attachments-too-big");
        Assert.Equal(0, Volatile.Read(ref creates));
        await alice.GetByRole(AriaRole.Button, new() { Name = "Remove holiday.mp4" }).ClickAsync();
        await Expect(alice.GetByTestId("upload-item")).ToHaveCountAsync(0);

        // Uploads are held until released, so their progress can be seen.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await alice.RouteAsync("**/api/v1/media/upload/**", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });

        // Drag and drop two images onto the message area.
        object[] files =
        [
            new { b64 = ChecksPng, name = "checks.png", type = "image/png" },
            new { b64 = StripesPng, name = "stripes.png", type = "image/png" },
        ];
        await alice.EvaluateAsync(DragFilesScript, new object[] { "[data-testid='message-list']", files, false });
        await Expect(alice.GetByTestId("drop-zone")).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("drop-zone")).ToContainTextAsync("Drop files to send them to #");
        await BrowserFixture.ScreenshotAsync(alice, "attachments-drop-zone");
        await alice.EvaluateAsync(DragFilesScript, new object[] { "[data-testid='message-list']", files, true });
        await Expect(alice.GetByTestId("drop-zone")).ToHaveCountAsync(0);

        var items = alice.GetByTestId("upload-item");
        await Expect(items).ToHaveCountAsync(2);
        foreach (var name in new[] { "checks.png", "stripes.png" })
        {
            var item = items.Filter(new() { HasText = name });
            await Expect(item).ToHaveAttributeAsync("data-status", "uploading");
            await Expect(item.GetByRole(AriaRole.Progressbar, new() { Name = $"Uploading {name}" })).ToBeVisibleAsync();
            await Expect(item.GetByTestId("upload-percent")).ToHaveTextAsync(new Regex(@"^(\d{1,3}%|Saving…)$"));
            await Expect(item.GetByTestId("upload-preview")).ToBeVisibleAsync();
        }

        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Send message" })).ToBeDisabledAsync();
        await alice.WaitForFunctionAsync(ImageLoaded("checks.png"));
        await BrowserFixture.ScreenshotAsync(alice, "attachments-uploading");
        release.SetResult();
        await Expect(items.Filter(new() { HasText = "checks.png" })).ToHaveAttributeAsync("data-status", "done");
        await Expect(items.Filter(new() { HasText = "stripes.png" })).ToHaveAttributeAsync("data-status", "done");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await Expect(alice.GetByTestId("upload-list")).ToHaveCountAsync(0);

        // Bob sees both images in a grid, loaded from their signed thumbnail URLs, with no empty text line.
        var grid = bob.GetByTestId("message-list").GetByTestId("image-grid");
        await Expect(grid).ToHaveAttributeAsync("data-count", "2");
        await bob.WaitForFunctionAsync(ImageLoaded("checks.png"));
        await bob.WaitForFunctionAsync(ImageLoaded("stripes.png"));
        var imageMessage = bob.GetByTestId("message-list").GetByRole(AriaRole.Article).Filter(new() { Has = grid });
        await Expect(imageMessage.GetByTestId("message-content")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(bob, "attachments-images-bob");

        // The lightbox: opens on the clicked image, arrow keys move, Escape closes; the close button closes too.
        await grid.GetByRole(AriaRole.Button, new() { Name = "Open image checks.png (1 of 2)" }).ClickAsync();
        var lightbox = bob.GetByRole(AriaRole.Dialog);
        await Expect(lightbox).ToHaveAttributeAsync("aria-label", "Image 1 of 2: checks.png");
        await bob.Keyboard.PressAsync("ArrowRight");
        await Expect(lightbox).ToHaveAttributeAsync("aria-label", "Image 2 of 2: stripes.png");
        await bob.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=\"lightbox-image\"]'); return i && i.complete && i.naturalWidth === 200; }");
        await Expect(lightbox.GetByTestId("lightbox-original")).ToHaveAttributeAsync("href", new Regex("stripes"));
        await BrowserFixture.ScreenshotAsync(bob, "attachments-lightbox");
        await bob.Keyboard.PressAsync("ArrowLeft");
        await Expect(lightbox).ToHaveAttributeAsync("aria-label", "Image 1 of 2: checks.png");
        await bob.Keyboard.PressAsync("Escape");
        await Expect(bob.GetByTestId("lightbox")).ToHaveCountAsync(0);
        await grid.GetByRole(AriaRole.Button, new() { Name = "Open image stripes.png (2 of 2)" }).ClickAsync();
        await Expect(lightbox).ToHaveAttributeAsync("aria-label", "Image 2 of 2: stripes.png");
        await bob.GetByRole(AriaRole.Button, new() { Name = "Close image viewer" }).ClickAsync();
        await Expect(bob.GetByTestId("lightbox")).ToHaveCountAsync(0);

        // Paste an image into the composer: it uploads (progress shown while held) and goes with the text.
        release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await alice.EvaluateAsync(PasteFileScript, new object[] { StripesPng, "pasted.png" });
        var pasted = alice.GetByTestId("upload-item").Filter(new() { HasText = "pasted.png" });
        await Expect(pasted).ToHaveAttributeAsync("data-status", "uploading");
        await Expect(pasted.GetByRole(AriaRole.Progressbar)).ToBeVisibleAsync();
        release.SetResult();
        await Expect(pasted).ToHaveAttributeAsync("data-status", "done");
        await ChatInTheBrowserTests.SendAsync(alice, "pasted from my clipboard");
        var pastedMessage = ChatInTheBrowserTests.Message(bob, "pasted from my clipboard");
        await Expect(pastedMessage.GetByTestId("attachment-image")).ToBeVisibleAsync();
        await bob.WaitForFunctionAsync(ImageLoaded("pasted.png"));

        // A text file: a card with its size and type, and a download link that gives the file back.
        await alice.UnrouteAsync("**/api/v1/media/upload/**");
        var notes = "Bring: tripod, 50mm lens, spare batteries.\n"u8.ToArray();
        await alice.GetByTestId("attach-input").SetInputFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = notes });
        await Expect(alice.GetByTestId("upload-item").Filter(new() { HasText = "notes.txt" })).ToHaveAttributeAsync("data-status", "done");
        await ChatInTheBrowserTests.SendAsync(alice, "the packing list");
        var card = ChatInTheBrowserTests.Message(bob, "the packing list").GetByTestId("attachment-file");
        await Expect(card).ToContainTextAsync("notes.txt");
        await Expect(card.GetByTestId("attachment-file-meta")).ToHaveTextAsync($"{notes.Length} bytes · Text");
        await BrowserFixture.ScreenshotAsync(bob, "attachments-file-card");
        var download = await bob.RunAndWaitForDownloadAsync(() => card.GetByRole(AriaRole.Link, new() { Name = "Download notes.txt" }).ClickAsync());
        Assert.Equal("notes.txt", download.SuggestedFilename);
        var path = await download.PathAsync();
        Assert.Equal(notes, await File.ReadAllBytesAsync(path));

        Assert.Empty(fixture.PageErrors);
    }
}
