using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Voxora.Client;
using Voxora.Server.Data;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Pod roles and the pod audit log at /admin (issue 17, "Pod administration at /admin"), on this class's own pod: the
/// owner (its first account) creates a coloured pod role with POD_VIEW_AUDIT_LOG and gives it to a second person from
/// the Users list; that person then finds "Server administration" in Settings and reads the audit log at /admin (and
/// nothing else there). The owner filters the log, verifies its chain, and sets the pod's default upload limit.
/// </summary>
public sealed class PodAdminInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_owner_gives_a_new_pod_role_that_opens_the_audit_log_and_verifies_the_chain()
    {
        var owner = await fixture.NewPageAsync(1280, 900);
        var ana = await fixture.NewPageAsync();
        var ownerName = NewName("owner");
        var anaName = NewName("ana");
        await RegisterAsync(owner, ownerName);
        await RegisterAsync(ana, anaName);

        // Before: Ana's Settings has no way to /admin, and /admin has nothing for her.
        await ana.GotoAsync("/settings");
        await Expect(ana.GetByRole(AriaRole.Heading).First).ToBeVisibleAsync();
        await Expect(ana.GetByTestId("open-admin")).ToHaveCountAsync(0);

        // The owner creates "Auditors" in pink and lets it read the audit log.
        await owner.GotoAsync("/admin");
        var roles = owner.GetByTestId("admin-roles");
        await Expect(roles.Locator("[data-testid=pod-role-row]")).ToHaveCountAsync(1);
        await roles.GetByTestId("new-pod-role-name").FillAsync("Auditors");
        await roles.GetByTestId("new-pod-role-color").FillAsync("#e91e63");
        await roles.GetByRole(AriaRole.Button, new() { Name = "Create role" }).ClickAsync();
        var row = roles.Locator("[data-testid=pod-role-row][data-role-name=Auditors]");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.GetByText("Auditors")).ToHaveCSSAsync("color", "rgb(233, 30, 99)");
        var editor = roles.GetByTestId("pod-role-editor");
        await Expect(editor.GetByTestId("pod-role-name")).ToHaveValueAsync("Auditors");
        await Expect(editor.GetByText("Read and verify the pod audit log.")).ToBeVisibleAsync();
        var viewAudit = editor.Locator("[data-permission=POD_VIEW_AUDIT_LOG]");
        await Expect(viewAudit).Not.ToBeCheckedAsync();
        await viewAudit.ClickAsync();
        await Expect(viewAudit).ToBeCheckedAsync();

        // Given to Ana from the Users list: her row shows the role.
        var users = owner.GetByTestId("admin-users");
        await users.GetByRole(AriaRole.Button, new() { Name = $"Pod roles of {anaName}" }).ClickAsync();
        var give = users.GetByTestId("admin-user-roles").Locator("[data-role-name=Auditors]");
        await give.ClickAsync();
        await Expect(give).ToBeCheckedAsync();
        var anaRow = users.GetByRole(AriaRole.Listitem).Filter(new() { HasText = anaName });
        await Expect(anaRow.GetByTestId("admin-user-role")).ToHaveTextAsync("Auditors");
        await roles.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(owner, "admin-roles");

        // Ana now reaches /admin from Settings, sees the audit log in words, and nothing she was not given.
        await ana.GotoAsync("/settings");
        await ana.GetByTestId("open-admin").ClickAsync();
        var anaAudit = ana.GetByTestId("admin-audit");
        await Expect(anaAudit.GetByTestId("pod-audit-entry").First).ToContainTextAsync($"the pod role Auditors");
        await Expect(anaAudit.GetByTestId("pod-audit-entry").Filter(new() { HasText = $"gave {anaName} the pod role Auditors" })).ToHaveCountAsync(1);
        await Expect(ana.GetByTestId("admin-settings")).ToHaveCountAsync(0);
        await Expect(ana.GetByTestId("admin-users")).ToHaveCountAsync(0);
        await Expect(ana.GetByTestId("admin-roles")).ToHaveCountAsync(0);
        await anaAudit.GetByTestId("pod-verify-chain").ClickAsync();
        await Expect(anaAudit.GetByTestId("pod-verify-result")).ToHaveTextAsync(new Regex("^Chain intact: \\d+ entries checked\\.$"));

        // The owner sets a default upload limit below the server's maximum.
        var settings = owner.GetByTestId("admin-settings");
        await settings.GetByTestId("admin-max-upload").FillAsync("5");
        await owner.GetByTestId("admin-settings-save").ClickAsync();
        await Expect(settings.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        using (var api = new VoxoraClient(fixture.BaseAddress))
        {
            await api.LoginAsync(ownerName, Password);
            Assert.Equal(5L * 1024 * 1024, (await api.GetPodSettingsAsync()).MaxUploadBytes);
        }

        await settings.GetByTestId("admin-max-upload").FillAsync("a lot");
        await owner.GetByTestId("admin-settings-save").ClickAsync();
        await Expect(settings.GetByText("Type a number of megabytes, or leave it empty for the server's maximum.")).ToBeVisibleAsync();

        // The owner's audit log: everything in words with names, filtered by action, and its chain verified.
        await owner.ReloadAsync();
        await Expect(owner.GetByTestId("admin-max-upload")).ToHaveValueAsync("5");
        var audit = owner.GetByTestId("admin-audit");
        var entries = audit.GetByTestId("pod-audit-entry");
        await Expect(entries.Filter(new() { HasText = $"{ownerName} gave {anaName} the pod role Auditors" })).ToHaveCountAsync(1);
        await Expect(entries.Filter(new() { HasText = $"{ownerName} created the pod role Auditors" })).ToHaveCountAsync(1);
        await Expect(entries.Filter(new() { HasText = $"the upload limit of the server" })).ToHaveCountAsync(1);
        await audit.GetByTestId("pod-audit-action").SelectOptionAsync("pod_role.create");
        await Expect(entries).ToHaveCountAsync(1);
        await Expect(entries.First).ToContainTextAsync("created the pod role Auditors");
        await audit.GetByTestId("pod-audit-action").SelectOptionAsync("");
        await audit.GetByTestId("pod-audit-to").FillAsync("2020-01-01");
        await Expect(audit.GetByText("No entries.")).ToBeVisibleAsync();
        await audit.GetByTestId("pod-audit-to").FillAsync("");
        await Expect(entries.Filter(new() { HasText = "created the pod role Auditors" })).ToHaveCountAsync(1);
        await audit.GetByTestId("pod-verify-chain").ClickAsync();
        await Expect(audit.GetByTestId("pod-verify-result")).ToHaveTextAsync(new Regex("^Chain intact: \\d+ entries checked\\.$"));
        await audit.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(owner, "admin-audit-log");

        // Someone with database access (past its append-only trigger; this pod is on SQLite) rewrites an entry:
        // "Verify chain" names it as the first broken one.
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            await db.Database.ExecuteSqlRawAsync("DROP TRIGGER audit_log_no_update;");
            Assert.Equal(1, await db.AuditLog.Where(a => a.CommunityId == "pod" && a.Action == "pod.member_role_update")
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.Reason, "she asked nicely")));
            await db.Database.ExecuteSqlRawAsync(
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;");
        }

        await owner.ReloadAsync();
        await audit.GetByTestId("pod-verify-chain").ClickAsync();
        var result = audit.GetByTestId("pod-verify-result");
        await Expect(result).ToContainTextAsync("Chain broken at entry aud_");
        await Expect(result).ToContainTextAsync($"gave {anaName} the pod role Auditors");
        var forged = entries.Filter(new() { HasText = "she asked nicely" });
        await Expect(forged).ToHaveClassAsync(new Regex("bg-danger"));
        await forged.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(owner, "admin-audit-log-broken");
        Assert.Empty(fixture.PageErrors);
    }
}
