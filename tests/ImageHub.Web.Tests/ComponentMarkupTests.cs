using ImageHub.Web.Components.Shared;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Radzen;

namespace ImageHub.Web.Tests;

/// <summary>Component markup rendered with the framework's own HtmlRenderer (bUnit cannot be restored here).</summary>
public sealed class ComponentMarkupTests
{
    private static async Task<string> RenderAsync<TComponent>(CurrentWorkspace workspace, Dictionary<string, object?> parameters) where TComponent : IComponent
    {
        var services = new ServiceCollection()
            .AddSingleton(workspace)
            .AddSingleton<NavigationManager, FixedNavigationManager>()
            .AddSingleton<Microsoft.JSInterop.IJSRuntime, NoJavaScript>()
            .AddRadzenComponents()
            .BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    [Fact]
    public async Task A_page_that_needs_a_workspace_tells_someone_without_one_how_to_get_one()
    {
        RenderFragment content = builder => builder.AddContent(0, "workspace content");

        var html = await RenderAsync<RequireWorkspace>(new CurrentWorkspace(), new() { [nameof(RequireWorkspace.ChildContent)] = content });

        Assert.Contains("You are not in a workspace yet", html);
        Assert.Contains("Create a workspace", html);
        Assert.DoesNotContain("workspace content", html);
    }

    [Fact]
    public async Task A_page_that_needs_a_workspace_shows_its_content_inside_one()
    {
        var workspace = new CurrentWorkspace();
        workspace.Set(Guid.CreateVersion7(), WorkspaceRole.Member, "Crew");
        RenderFragment content = builder => builder.AddContent(0, "workspace content");

        var html = await RenderAsync<RequireWorkspace>(workspace, new() { [nameof(RequireWorkspace.ChildContent)] = content });

        Assert.Contains("workspace content", html);
        Assert.DoesNotContain("You are not in a workspace yet", html);
    }

    /// <summary>Static rendering never runs JavaScript; Radzen components only need the service to exist.</summary>
    private sealed class NoJavaScript : Microsoft.JSInterop.IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => throw new InvalidOperationException("No JavaScript in static rendering.");
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => throw new InvalidOperationException("No JavaScript in static rendering.");
    }

    private sealed class FixedNavigationManager : NavigationManager
    {
        public FixedNavigationManager() => Initialize("http://imagehub.test/", "http://imagehub.test/");
    }
}
