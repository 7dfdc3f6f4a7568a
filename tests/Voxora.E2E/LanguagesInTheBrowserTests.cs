using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// A Brazilian browser (context locale pt-BR) gets the client in Brazilian Portuguese from the first page on:
/// register, the empty home, create a community, chat, a refused invite worded by the client, settings with
/// localised dates; the language picker switches to English live and the choice survives a reload.
/// Screenshots i18n-pt-br-*.png.
/// </summary>
public sealed class LanguagesInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task A_brazilian_browser_gets_the_client_in_portuguese_and_the_picker_switches_it_to_english_live()
    {
        var page = await fixture.NewPageAsync(locale: "pt-BR");
        var username = ChatInTheBrowserTests.NewName("bia");

        await page.GotoAsync("/register");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "pt-BR");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Criar uma conta" })).ToBeVisibleAsync();
        await page.GetByLabel("Nome de usuário", new() { Exact = true }).FillAsync(username);
        await page.GetByLabel("Senha", new() { Exact = true }).FillAsync(Password);
        await Expect(page.GetByTestId("register-submit")).ToHaveTextAsync("Cadastrar-se");
        await BrowserFixture.ScreenshotAsync(page, "i18n-pt-br-register");
        await page.GetByTestId("register-submit").ClickAsync();

        // The empty home of a newcomer.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Você ainda não está em nenhuma comunidade" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Tem um link de convite?")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "i18n-pt-br-empty-home");

        await page.GetByRole(AriaRole.Button, new() { Name = "Criar uma comunidade" }).First.ClickAsync();
        var dialog = page.GetByTestId("create-community-dialog");
        await Expect(dialog.GetByRole(AriaRole.Heading, new() { Name = "Criar uma comunidade" })).ToBeVisibleAsync();
        await dialog.GetByLabel("Nome da comunidade").FillAsync("Turma do Café");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Criar" }).ClickAsync();

        var composer = page.GetByTestId("composer");
        await Expect(composer).ToHaveAttributeAsync("placeholder", "Conversar em #general");
        await composer.FillAsync("Olá, pessoal!");
        await composer.PressAsync("Enter");
        var message = ChatInTheBrowserTests.Message(page, "Olá, pessoal!");
        await Expect(message).ToHaveCountAsync(1);
        await message.HoverAsync();
        await Expect(message.GetByRole(AriaRole.Button, new() { Name = "Responder" })).ToBeVisibleAsync();
        await Expect(message.GetByRole(AriaRole.Button, new() { Name = "Adicionar reação" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Canais de Turma do Café" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Enter para enviar", new() { Exact = false })).ToBeVisibleAsync();
        if (!await page.GetByTestId("member-list").IsVisibleAsync())
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Mostrar lista de membros" }).ClickAsync();
        }

        await Expect(page.GetByTestId("members-online")).ToContainTextAsync("Online — 1");
        await BrowserFixture.ScreenshotAsync(page, "i18n-pt-br-chat");

        // A refused invite: the client's own words for the problem code, not the server's English detail.
        await page.GotoAsync("/invite/naoexiste1");
        await Expect(page.GetByTestId("invite-invalid")).ToHaveTextAsync("Este convite não pode ser usado");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Este link de convite não existe. Peça um novo.");
        await Expect(page.GetByTestId("invite-go-home")).ToHaveTextAsync("Ir para suas comunidades");
        await BrowserFixture.ScreenshotAsync(page, "i18n-pt-br-bad-invite");
        await page.GetByTestId("invite-go-home").ClickAsync();

        // Settings in Portuguese, with the session dates in Brazilian format ("… de … de 2026").
        await page.GetByRole(AriaRole.Link, new() { Name = "Configurações" }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Configurações", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Aparência" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sair neste dispositivo" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("session-list")).ToContainTextAsync("ativo por último em");
        await Expect(page.GetByTestId("session-list")).ToContainTextAsync(new Regex(@"\d{1,2} de [a-zç]+\.? de \d{4}"));
        var picker = page.GetByTestId("language-picker");
        await Expect(picker).ToHaveValueAsync("auto");
        await Expect(page.GetByText("O app está sendo exibido em Português (Brasil).")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "i18n-pt-br-settings");

        // The picker switches the whole client live, without a reload.
        await picker.SelectOptionAsync("en");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Appearance" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out on this device" })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await BrowserFixture.ScreenshotAsync(page, "i18n-pt-br-switched-to-english");

        // The choice is kept (localStorage) over the browser's language.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("language-picker")).ToHaveValueAsync("en");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to chat" }).ClickAsync();
        await Expect(page.GetByTestId("composer")).ToHaveAttributeAsync("placeholder", "Message #general");

        // "Same as the browser" goes back to Portuguese.
        await page.GotoAsync("/settings");
        await page.GetByTestId("language-picker").SelectOptionAsync("auto");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Configurações", Exact = true })).ToBeVisibleAsync();
        Assert.Empty(fixture.PageErrors);
    }
}
