using ImageHub.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Pages;

/// <summary>/Account/Register (static form).</summary>
public sealed class RegisterPage(IPage page)
{
    public async Task OpenAsync(string? inviteToken = null)
    {
        await page.GotoAsync(inviteToken is null ? "/Account/Register" : $"/Account/Register?invite={inviteToken}");
    }

    /// <summary>Fills and submits the form, and waits for the page it leads to (the composer, or the invited workspace) to be interactive.</summary>
    public async Task RegisterAsync(string email, string password = AppFixture.Password)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.FillAsync("#confirm", password);
        await page.ClickAsync("[data-testid=register-submit]");
        await page.WaitForURLAsync(url => !url.Contains("/Account/Register", StringComparison.Ordinal));
        await Browser.WaitForCircuitAsync(page);
    }
}

/// <summary>/Account/Login (static form).</summary>
public sealed class LoginPage(IPage page)
{
    public ILocator Heading => page.Locator("h1");
    public ILocator RegisterLink => page.Locator("[data-testid=register-link]");
    public ILocator InviteOnlyNote => page.Locator("[data-testid=invite-only-note]");

    public Task OpenAsync() => page.GotoAsync("/Account/Login");

    public async Task LogInAsync(string email, string password = AppFixture.Password)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
        await Browser.WaitForCircuitAsync(page);
    }
}

/// <summary>/Account/Manage/ChangePassword (static form).</summary>
public sealed class ChangePasswordPage(IPage page)
{
    public Task OpenAsync() => page.GotoAsync("/Account/Manage/ChangePassword");
}

/// <summary>/workspaces/new and the workspace page it leads to.</summary>
public sealed class CreateWorkspacePage(IPage page)
{
    public async Task<string> CreateAsync(string name)
    {
        await page.GotoAsync("/workspaces/new");
        await Browser.WaitForCircuitAsync(page);
        await page.FillAsync("[data-testid=workspace-name]", name);
        await page.ClickAsync("[data-testid=workspace-create]");
        await page.WaitForURLAsync("**/workspaces/*-*");
        await Browser.WaitForCircuitAsync(page);
        return page.Url;
    }
}

/// <summary>/workspaces/{id}: members and the viewer's role.</summary>
public sealed class WorkspacePage(IPage page)
{
    public ILocator Role => page.Locator("[data-testid=my-role]");
    public ILocator Members => page.Locator("[data-testid=members]");

    public async Task OpenSettingsAsync()
    {
        await page.ClickAsync("[data-testid=open-settings]");
        await page.WaitForURLAsync("**/settings");
        await Browser.WaitForCircuitAsync(page);
    }
}

/// <summary>/workspaces/{id}/settings: invites (Owners and Admins).</summary>
public sealed class WorkspaceSettingsPage(IPage page)
{
    public async Task<string> CreateInviteAsync()
    {
        await page.ClickAsync("[data-testid=create-invite]");
        return await page.Locator("[data-testid=invite-link]").InputValueAsync();
    }
}

/// <summary>/invite/{token} (static).</summary>
public sealed class InvitePage(IPage page)
{
    public ILocator Heading => page.Locator("h1");

    public Task OpenAsync(string link) => page.GotoAsync(link);

    public Task ChooseRegisterAsync() => page.ClickAsync("[data-testid=invite-register]");
}

/// <summary>What a page says when the viewer's role may not open it.</summary>
public sealed class AccessDeniedView(IPage page)
{
    public ILocator Message => page.Locator("[data-testid=access-denied]");
}
