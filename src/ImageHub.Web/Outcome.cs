using ImageHub.Providers;

namespace ImageHub.Web;

/// <summary>Why an operation refused, in the terms both of its mappings need (HTTP status, what a page shows).</summary>
public enum FailureKind
{
    /// <summary>The input has problems: <see cref="Failure.Fields"/> says which (400 with the fields).</summary>
    Invalid,
    /// <summary>Nobody is signed in (401).</summary>
    Unauthorized,
    /// <summary>Signed in, but not allowed (403).</summary>
    Forbidden,
    /// <summary>No such thing here, or not one this person may see (404).</summary>
    NotFound,
    /// <summary>The thing is not in a state that allows it (409).</summary>
    Conflict,
    /// <summary>A hard budget has no room for it (402, problem type ending in <c>budget-exceeded</c>; <see cref="Failure.Extensions"/> say which budget and what remains).</summary>
    BudgetExceeded,
}

/// <summary>
/// The web app's one error: a kind, a message a person can act on, and for <see cref="FailureKind.Invalid"/> the
/// fields to change (<c>prompt</c>, <c>kolbo.options.aspect_ratio</c>, <c>secret</c>). Mapped once to RFC 7807
/// (<see cref="OutcomeHttp"/>) and once to what a page shows (<see cref="Outcome.Message"/>, <see cref="Outcome.Errors"/>).
/// </summary>
public sealed record Failure(FailureKind Kind, string Message, IReadOnlyList<FieldError> Fields)
{
    /// <summary>Extra members of the problem (for a budget: which one and what remains).</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    public static Failure BudgetExceeded(string message, IReadOnlyDictionary<string, object?> extensions) =>
        new(FailureKind.BudgetExceeded, message, []) { Extensions = extensions };

    public static Failure Invalid(params FieldError[] fields) => Invalid((IEnumerable<FieldError>)fields);

    public static Failure Invalid(IEnumerable<FieldError> fields)
    {
        var list = fields.ToList();
        return new(FailureKind.Invalid, string.Join(" ", list.Select(f => f.Message).Distinct()), list);
    }

    public static Failure Invalid(string field, string message) => Invalid(new FieldError(field, message));

    public static Failure Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        Invalid(errors.SelectMany(e => e.Value.Select(m => new FieldError(e.Key, m))));

    public static Failure Unauthorized(string message) => new(FailureKind.Unauthorized, message, []);
    public static Failure Forbidden(string message) => new(FailureKind.Forbidden, message, []);
    public static Failure NotFound(string message) => new(FailureKind.NotFound, message, []);
    public static Failure Conflict(string message) => new(FailureKind.Conflict, message, []);

    /// <summary>The messages per field, as forms and <c>errors</c> of a validation problem want them.</summary>
    public IReadOnlyDictionary<string, string[]> FieldMessages =>
        Fields.GroupBy(f => f.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(f => f.Message).Distinct().ToArray(), StringComparer.Ordinal);
}

/// <summary>The web app's one result type: success (with a note to show, if any) or a <see cref="Web.Failure"/>.</summary>
public class Outcome
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    protected Outcome(Failure? failure, string? note)
    {
        Failure = failure;
        Message = failure?.Message ?? note;
    }

    public Failure? Failure { get; }
    public bool Succeeded => Failure is null;

    /// <summary>What to tell the person: the failure's message, or the success note (null when there is none).</summary>
    public string? Message { get; }

    /// <summary>The messages per field (empty unless the input had problems).</summary>
    public IReadOnlyDictionary<string, string[]> Errors => Failure?.FieldMessages ?? NoErrors;

    public bool Is(FailureKind kind) => Failure?.Kind == kind;

    public static Outcome Ok(string? note = null) => new(null, note);

    public static implicit operator Outcome(Failure failure) => new(failure ?? throw new ArgumentNullException(nameof(failure)), null);
}

/// <summary>Success with a <see cref="Value"/>, or a <see cref="Web.Failure"/>.</summary>
public sealed class Outcome<T> : Outcome
{
    private Outcome(T? value, Failure? failure, string? note) : base(failure, note) => Value = value;

    /// <summary>The result (default when failed, and for operations whose success has nothing to return).</summary>
    public T? Value { get; }

    public static Outcome<T> Ok(T? value, string? note = null) => new(value, null, note);

    public static implicit operator Outcome<T>(Failure failure) => new(default, failure ?? throw new ArgumentNullException(nameof(failure)), null);
}
