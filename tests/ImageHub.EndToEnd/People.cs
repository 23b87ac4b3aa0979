using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd;

/// <summary>Arrange steps every test class shares: a newcomer signs up and makes a workspace, through the UI.</summary>
public static class People
{
    public static async Task SignUpAsync(this AppFixture app, IPage page, string email)
    {
        var register = new RegisterPage(page);
        await register.OpenAsync();
        await register.RegisterAsync(email);
    }

    /// <summary>Signs up and creates a workspace from the composer's empty state; returns the workspace page's URL.</summary>
    public static async Task<string> SignUpWithWorkspaceAsync(this AppFixture app, IPage page, string email, string workspace = "Studio")
    {
        await app.SignUpAsync(page, email);
        await page.ClickAsync("[data-testid=create-workspace]");
        return await new CreateWorkspacePage(page).CreateAsync(workspace);
    }
}
