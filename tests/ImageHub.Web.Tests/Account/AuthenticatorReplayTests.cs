using ImageHub.Tests.Infrastructure;
using static ImageHub.Tests.Infrastructure.Arrange;
using static ImageHub.Web.Tests.Account.Authenticator;

namespace ImageHub.Web.Tests.Account;

/// <summary>
/// Each authenticator code works once per account: a code seen over a shoulder or phished cannot sign in again while it
/// is still within its time window. Driven through the real enrolment and two-factor sign-in pages, on the app's test clock.
/// </summary>
public sealed class AuthenticatorReplayTests
{
    private const string Email = "ada@example.com";
    private const string WrongCode = "That code is not right";

    /// <summary>A fresh app with one account, enrolled in two-factor sign-in at the clock's current time step.</summary>
    private static async Task<(ImageHubApp App, string Key, string[] RecoveryCodes)> EnrolledAsync(DatabaseKind kind = DatabaseKind.Sqlite)
    {
        var app = ImageHubApp.Create(kind);
        using var browser = app.CreateBrowser();
        await browser.RegisterAsync(Email, Password);
        var (key, codes, _) = await EnrolAsync(browser, app.Clock);
        return (app, key, codes);
    }

    private static bool SignedIn(Page page) => page.Path != "/Account/LoginWith2fa" && page.Path != "/Account/Login" && !page.Text.Contains(WrongCode, StringComparison.Ordinal);

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_code_that_signed_in_once_is_refused_the_second_time_with_the_wrong_code_message(DatabaseKind kind)
    {
        var (app, key, _) = await EnrolledAsync(kind);
        await using var _ = app;
        app.Clock.Advance(Window); // the next code on the phone
        var code = CodeNow(key, app.Clock);

        var first = await SignInAsync(app, Email, Password, code);
        var replayed = await SignInAsync(app, Email, Password, code);

        Assert.True(SignedIn(first), $"the first use signs in; landed on {first.Path}: {first.Text}");
        Assert.Equal("/Account/LoginWith2fa", replayed.Path);
        Assert.Contains(WrongCode, replayed.Text);
    }

    [Fact]
    public async Task A_code_from_the_next_window_signs_in_after_one_was_used()
    {
        var (app, key, _) = await EnrolledAsync();
        await using var _ = app;
        app.Clock.Advance(Window);
        var first = await SignInAsync(app, Email, Password, CodeNow(key, app.Clock));
        var sameAgain = await SignInAsync(app, Email, Password, CodeNow(key, app.Clock));
        app.Clock.Advance(Window);
        var next = await SignInAsync(app, Email, Password, CodeNow(key, app.Clock));

        Assert.True(SignedIn(first), first.Text);
        Assert.Contains(WrongCode, sameAgain.Text);
        Assert.True(SignedIn(next), $"the next window's code signs in; landed on {next.Path}: {next.Text}");
    }

    [Fact]
    public async Task An_earlier_windows_code_is_refused_once_a_later_one_was_used()
    {
        var (app, key, _) = await EnrolledAsync();
        await using var _ = app;
        app.Clock.Advance(Window * 2);
        var now = app.Clock.GetUtcNow();
        // A phone a little ahead: the next window's code is accepted (one step of drift either way).
        var ahead = await SignInAsync(app, Email, Password, CodeAt(key, now + Window));
        // Still within the drift allowed, but older than the code just used.
        var current = await SignInAsync(app, Email, Password, CodeAt(key, now));
        var previous = await SignInAsync(app, Email, Password, CodeAt(key, now - Window));

        Assert.True(SignedIn(ahead), $"a code one window ahead signs in; landed on {ahead.Path}: {ahead.Text}");
        Assert.Contains(WrongCode, current.Text);
        Assert.Contains(WrongCode, previous.Text);
    }

    [Fact]
    public async Task The_code_that_confirmed_enrolment_cannot_then_sign_in()
    {
        var (app, key, _) = await EnrolledAsync();
        await using var _ = app;
        // Same moment as enrolment: the phone still shows the code just typed on the enrolment page.
        var enrolmentCode = CodeNow(key, app.Clock);

        var reused = await SignInAsync(app, Email, Password, enrolmentCode);
        app.Clock.Advance(Window);
        var next = await SignInAsync(app, Email, Password, CodeNow(key, app.Clock));

        Assert.Contains(WrongCode, reused.Text);
        Assert.True(SignedIn(next), $"the next code signs in; landed on {next.Path}: {next.Text}");
    }

    [Fact]
    public async Task After_a_refused_replay_each_recovery_code_still_signs_in_once()
    {
        var (app, key, recoveryCodes) = await EnrolledAsync();
        await using var _ = app;
        app.Clock.Advance(Window);
        var code = CodeNow(key, app.Clock);
        await SignInAsync(app, Email, Password, code);

        var replayed = await SignInAsync(app, Email, Password, code);
        var recovered = await SignInAsync(app, Email, Password, recoveryCodes[0]);
        var recoveredAgain = await SignInAsync(app, Email, Password, recoveryCodes[0]);
        var another = await SignInAsync(app, Email, Password, recoveryCodes[1]);

        Assert.Contains(WrongCode, replayed.Text);
        Assert.True(SignedIn(recovered), $"a recovery code signs in; landed on {recovered.Path}: {recovered.Text}");
        Assert.Contains(WrongCode, recoveredAgain.Text);
        Assert.True(SignedIn(another), $"another recovery code signs in; landed on {another.Path}: {another.Text}");
    }

    [Fact]
    public async Task Replayed_codes_count_as_failed_attempts_towards_the_lockout()
    {
        var (app, key, _) = await EnrolledAsync();
        await using var _ = app;
        app.Clock.Advance(Window);
        var code = CodeNow(key, app.Clock);
        var first = await SignInAsync(app, Email, Password, code);

        var replays = new List<Page>();
        for (var attempt = 0; attempt < 5; attempt++) replays.Add(await SignInAsync(app, Email, Password, code));
        app.Clock.Advance(Window);
        using var later = app.CreateBrowser();
        var afterwards = await later.LoginAsync(Email, Password);

        Assert.True(SignedIn(first), first.Text);
        Assert.All(replays[..4], page => Assert.Contains(WrongCode, page.Text));
        Assert.Contains("locked", replays[4].Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("locked", afterwards.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Two_simultaneous_sign_ins_with_one_code_let_only_one_in(DatabaseKind kind)
    {
        var (app, key, _) = await EnrolledAsync(kind);
        await using var _ = app;
        // A second instance over the same database, as behind a load balancer (its clock set to the same moment).
        await using var second = app.Restart();
        app.Clock.Advance(Window);
        second.Clock.Advance(app.Clock.GetUtcNow() - second.Clock.GetUtcNow());
        var code = CodeNow(key, app.Clock);
        using var one = app.CreateBrowser();
        using var two = second.CreateBrowser();
        var askedOne = await one.LoginAsync(Email, Password);
        var askedTwo = await two.LoginAsync(Email, Password);

        var results = await Task.WhenAll(
            one.SubmitFormAsync(askedOne.Url.PathAndQuery, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = code }),
            two.SubmitFormAsync(askedTwo.Url.PathAndQuery, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = code }));

        Assert.Equal(1, results.Count(SignedIn));
        Assert.Single(results, page => page.Text.Contains(WrongCode, StringComparison.Ordinal));
    }
}
