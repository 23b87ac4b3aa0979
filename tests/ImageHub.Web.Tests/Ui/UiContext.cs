using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace ImageHub.Web.Tests.Ui;

/// <summary>
/// bUnit rendering real pages against the real app's services: one DI scope of the app (what a circuit gets:
/// real database, vault, queries) is bUnit's fallback provider, while bUnit supplies the browser side
/// (JS interop in Loose mode, navigation) and MudBlazor's services. The user is signed in with the claims the
/// app itself issues, and the scope's <see cref="CurrentWorkspace"/> is set as the circuit handler would.
/// </summary>
public sealed class UiContext : BunitContext
{
    private readonly AsyncServiceScope scope;

    public Guid UserId { get; }
    public string Email { get; }

    /// <summary>The app's services as the page sees them (the same scope: assert on what the page did).</summary>
    public IServiceProvider AppServices => scope.ServiceProvider;

    private UiContext(AsyncServiceScope scope, Guid userId, string email)
    {
        this.scope = scope;
        UserId = userId;
        Email = email;
    }

    public static async Task<UiContext> CreateAsync(ImageHubApp app, string email, Guid? workspaceId)
    {
        var scope = app.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var user = await sp.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email)
            ?? throw new InvalidOperationException($"No account {email}");
        var principal = await sp.GetRequiredService<IUserClaimsPrincipalFactory<AppUser>>().CreateAsync(user);
        // Services the app resolves for itself (e.g. the generation service) read the same signed-in user.
        if (sp.GetRequiredService<AuthenticationStateProvider>() is IHostEnvironmentAuthenticationStateProvider host)
        {
            host.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        }
        if (workspaceId is { } id)
        {
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(user.Id, id)
                ?? throw new InvalidOperationException($"{email} is not a member of {id}");
            sp.GetRequiredService<CurrentWorkspace>().Set(id, membership.Role, membership.WorkspaceName);
        }

        var context = new UiContext(scope, user.Id, email);
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddSingleton(sp.GetRequiredService<TimeProvider>()); // the app's (test) clock, not bUnit's
        context.Services.AddMudServices(o => o.SnackbarConfiguration.ShowTransitionDuration = 0);
        var auth = context.AddAuthorization();
        auth.SetAuthorized(email);
        auth.SetClaims([.. principal.Claims.Where(c => c.Type != ClaimTypes.Name)]);
        context.Services.AddFallbackServiceProvider(sp);
        return context;
    }

    /// <summary>
    /// Renders <typeparamref name="TPage"/> below MudBlazor's popover, dialog and snackbar providers (as the layout
    /// does), so dialogs, menus, selects and snackbars appear in <see cref="PageView{TPage}.Markup"/>.
    /// </summary>
    public PageView<TPage> Open<TPage>(params (string Name, object? Value)[] parameters) where TPage : IComponent
    {
        var root = Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudDialogProvider>(1);
            b.CloseComponent();
            b.OpenComponent<MudSnackbarProvider>(2);
            b.CloseComponent();
            b.OpenComponent<TPage>(3);
            foreach (var (name, value) in parameters) b.AddComponentParameter(4, name, value);
            b.CloseComponent();
        });
        return new PageView<TPage>(root, root.FindComponent<TPage>());
    }

    /// <summary>Services of the app, resolved in the page's scope.</summary>
    public T Get<T>() where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await scope.DisposeAsync();
    }
}

/// <summary>A rendered page with the providers around it: find elements anywhere (dialogs render beside the page).</summary>
public sealed class PageView<TPage>(IRenderedComponent<IComponent> root, IRenderedComponent<TPage> page) where TPage : IComponent
{
    public IRenderedComponent<IComponent> Root { get; } = root;
    public IRenderedComponent<TPage> Page { get; } = page;
    public string Markup => Root.Markup;

    /// <summary>The visible text of the page and its dialogs and snackbars, whitespace collapsed.</summary>
    public string Text => System.Text.RegularExpressions.Regex.Replace(Root.Nodes.Select(n => n.TextContent).Aggregate("", string.Concat), "\\s+", " ");

    public IElement Find(string selector) => Root.Find(selector);
    public IReadOnlyList<IElement> FindAll(string selector) => Root.FindAll(selector);
    public IElement ByTestId(string testId) => Root.Find($"[data-testid=\"{testId}\"]");
    public IReadOnlyList<IElement> AllByTestId(string testId) => Root.FindAll($"[data-testid=\"{testId}\"]");

    /// <summary>The button (or link) whose text is <paramref name="text"/>.</summary>
    public IElement Button(string text) =>
        Root.FindAll("button, a").FirstOrDefault(e => e.TextContent.Trim() == text)
        ?? throw new ElementNotFoundException($"button \"{text}\"");

    /// <summary>Waits until <paramref name="assertion"/> passes (the page loads from the database asynchronously).</summary>
    public void WaitFor(Action assertion) => Root.WaitForAssertion(assertion, TimeSpan.FromSeconds(10));
}
