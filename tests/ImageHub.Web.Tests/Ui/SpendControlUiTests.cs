using AngleSharp.Dom;
using Bunit;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Compose;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Features.Spend.Budgets;
using ImageHub.Web.Features.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The budgets, webhooks and spend pages and the composer's budget line, rendered with bUnit against the real app.</summary>
public sealed class SpendControlUiTests
{
    private static Task<BudgetView> BudgetAsync(UiTeam team, BudgetDraft draft) => team.AsAsync(UiTeam.Owner, async sp =>
    {
        var outcome = await sp.GetRequiredService<BudgetService>().CreateAsync(await team.App.UserIdAsync(UiTeam.Owner), draft, default);
        Assert.True(outcome.Succeeded, outcome.Message);
        return outcome.Value!;
    });

    private static BudgetDraft Draft(string name, string provider, decimal credits, string enforcement = "hard", string scope = "provider") =>
        new(name, scope, provider, null, null, "month", null, credits, null, enforcement, null);

    [Fact]
    public async Task The_composer_shows_what_the_budget_leaves_and_says_why_Run_is_disabled_when_the_estimate_does_not_fit()
    {
        await using var team = await UiTeam.CreateAsync();
        await BudgetAsync(team, Draft("Coals cap", "coals", 1));
        await BudgetAsync(team, Draft("Koala cap", "koala", 1000));
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<ComposePage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("composer")));

        // Koala (picked first) fits its budget: what remains is shown, Run is enabled.
        page.WaitFor(() => Assert.Contains("“Koala cap”: 1000", page.ByTestId("budget-remaining-koala").TextContent));
        Assert.False(page.ByTestId("run").HasAttribute("disabled"));
        Assert.Empty(page.AllByTestId("budget-blocked"));

        // Coals costs 2 credits a call and its hard budget has 1 left.
        page.ByTestId("chip-coals").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("budget-blocked")));
        var why = page.ByTestId("budget-blocked").TextContent;
        Assert.Contains("Run is disabled", why);
        Assert.Contains("“Coals cap” has 1", why);
        Assert.Contains("needs about 2", why);
        Assert.True(page.ByTestId("run").HasAttribute("disabled"));
    }

    [Fact]
    public async Task An_owner_adds_a_budget_with_a_clear_message_for_a_missing_provider_and_sees_it_listed_with_what_is_left()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<BudgetsPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("budgets-empty")));

        page.ByTestId("budget-name").Change("Team month");
        page.ByTestId("budget-limit").Change("40");
        page.ByTestId("budget-create").Click();
        page.WaitFor(() => Assert.Contains("a credits limit needs the provider", page.ByTestId("budget-form").TextContent));

        page.ByTestId("budget-provider").Closest(".mud-input-control")!.MouseDown();
        IReadOnlyList<IElement> items = [];
        page.WaitFor(() => Assert.NotEmpty(items = page.FindAll(".mud-popover-open .mud-list-item")));
        items.First(i => i.TextContent.Contains("Coals", StringComparison.Ordinal)).Click();
        page.ByTestId("budget-create").Click();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("budgets")));
        Assert.Contains("40", page.ByTestId("left-Team month").TextContent);
        Assert.Contains("Team month", page.ByTestId("budgets").TextContent);
        var saved = await team.AsAsync(UiTeam.Owner, sp => sp.GetRequiredService<BudgetService>().ListAsync(default));
        Assert.Equal("coals", Assert.Single(saved).Provider);
    }

    [Fact]
    public async Task A_member_reads_the_budgets_but_gets_no_form()
    {
        await using var team = await UiTeam.CreateAsync();
        await BudgetAsync(team, Draft("Coals cap", "coals", 10));
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<BudgetsPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("budgets")));
        Assert.Empty(page.AllByTestId("budget-form"));
        Assert.Empty(page.AllByTestId("delete-Coals cap"));
    }

    [Fact]
    public async Task The_spend_page_shows_budgets_charts_and_the_tables_per_key_and_model()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.FinishedAsync(UiTeam.Owner, "coals", "one", 2, 0.02m, model: "graphicoal-v1");
        await team.FinishedAsync(UiTeam.Member, "coals", "two", 2, 0.02m, model: "graphicoal-v1", at: -TimeSpan.FromHours(2));
        await BudgetAsync(team, Draft("Coals cap", "coals", 10));
        await using var ui = await team.SignInAsync(UiTeam.Owner);

        var page = ui.Open<SpendPage>();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("spend-budgets")));
        Assert.Contains("6 Coals", page.ByTestId("spend-budgets").TextContent); // 10 − 4 left
        Assert.NotEmpty(page.FindAll("[data-testid=chart-daily] svg"));
        Assert.NotEmpty(page.FindAll("[data-testid=chart-members] svg"));
        Assert.Contains("graphicoal-v1", page.ByTestId("spend-models").TextContent);
        Assert.Contains("Built-in sandbox key", page.ByTestId("spend-keys").TextContent);
        Assert.Equal("/api/v1/spend/export?from=2026-05-01&to=2026-06-01", page.ByTestId("export-csv").GetAttribute("href"));

        page.ByTestId("range-last").Click();
        page.WaitFor(() => Assert.Equal("April 2026", page.ByTestId("month").TextContent.Trim()));
    }

    [Fact]
    public async Task A_review_is_resolved_from_the_spend_page_as_charged()
    {
        await using var team = await UiTeam.CreateAsync();
        var userId = await team.App.UserIdAsync(UiTeam.Member);
        var queued = await team.AsAsync(UiTeam.Member, sp => sp.GetRequiredService<GenerationService>()
            .SubmitAsync(userId, new GenerationDraft("cut off", [new ProviderRun("coals", null, 1, null)]), default));
        var id = queued.Value!.GenerationIds[0];
        await team.AsAsync(UiTeam.Owner, async sp =>
        {
            var db = sp.GetRequiredService<Data.AppDbContext>();
            var generation = await db.Set<Generation>().FindAsync(id);
            generation!.BeginSubmission(team.App.Clock.GetUtcNow());
            generation.MarkForReview("timeout", "The connection dropped mid-request.", team.App.Clock.GetUtcNow());
            return await db.SaveChangesAsync();
        });
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<SpendPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("reviews")));

        page.ByTestId($"resolve-{id}").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("resolve-dialog")));
        page.ByTestId("resolve-credits").Change("3");
        page.ByTestId("resolve-save").Click();

        page.WaitFor(() => Assert.Empty(page.AllByTestId("reviews")));
        page.WaitFor(() => Assert.Contains("Coals | 3 |", string.Join("\n", page.FindAll("[data-testid=spend-providers] tbody tr").Select(r => string.Join(" | ", r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()))))));
    }

    [Fact]
    public async Task The_webhooks_page_shows_the_secret_once_and_a_refused_url_beside_the_field()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<WebhooksPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("webhooks-empty")));

        page.ByTestId("webhook-url").Change("http://127.0.0.1:8080/hook");
        page.ByTestId("webhook-create").Click();
        page.WaitFor(() => Assert.Contains("private, loopback or link-local", page.ByTestId("webhook-form").TextContent));

        page.ByTestId("webhook-url").Change("https://93.184.215.14/hook");
        page.ByTestId("webhook-create").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("webhook-secret")));
        Assert.Contains("whsec_", page.ByTestId("webhook-secret").TextContent);
        Assert.NotEmpty(page.AllByTestId("webhooks"));

        await using var later = await team.SignInAsync(UiTeam.Owner);
        var again = later.Open<WebhooksPage>();
        again.WaitFor(() => Assert.NotEmpty(again.AllByTestId("webhooks")));
        Assert.DoesNotContain("whsec_", again.Markup);
    }
}
