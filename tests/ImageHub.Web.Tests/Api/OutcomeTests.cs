using ImageHub.Providers;

namespace ImageHub.Web.Tests.Api;

/// <summary>The one result type: what a page shows and what the API answers come from the same failure.</summary>
public sealed class OutcomeTests
{
    [Fact]
    public void A_refusal_gives_a_page_one_message_and_the_messages_per_field()
    {
        Outcome refused = Failure.Invalid(new FieldError("secret", "Paste the key itself; it is empty."), new FieldError("label", "Give the key a label."),
            new FieldError("secret", "Paste the key itself; it is empty."));

        Assert.False(refused.Succeeded);
        Assert.Equal("Paste the key itself; it is empty. Give the key a label.", refused.Message);
        Assert.Equal(["Paste the key itself; it is empty."], refused.Errors["secret"]);
        Assert.Equal(["Give the key a label."], refused.Errors["label"]);
    }

    [Fact]
    public void The_same_failure_becomes_the_problem_the_api_answers()
    {
        var problem = Failure.Conflict("This generation has already ended (Succeeded); there is nothing to cancel.").ToProblem();
        var invalid = Failure.Invalid("limit", "limit must be between 1 and 100.").ToProblem();

        Assert.Equal(409, problem.StatusCode);
        Assert.Equal("This generation has already ended (Succeeded); there is nothing to cancel.", problem.ProblemDetails.Detail);
        Assert.Equal(400, invalid.StatusCode);
        var details = Assert.IsType<Microsoft.AspNetCore.Http.HttpValidationProblemDetails>(invalid.ProblemDetails);
        Assert.Equal(["limit must be between 1 and 100."], details.Errors["limit"]);
    }

    [Fact]
    public void A_success_has_no_errors_and_says_what_it_did_when_it_has_something_to_say()
    {
        var ok = Outcome<int>.Ok(42, "Saved.");

        Assert.True(ok.Succeeded);
        Assert.Equal(42, ok.Value);
        Assert.Equal("Saved.", ok.Message);
        Assert.Empty(ok.Errors);
    }
}
