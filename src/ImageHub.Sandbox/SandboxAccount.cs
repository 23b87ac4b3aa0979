namespace ImageHub.Sandbox;

/// <summary>One key's account at one provider. A live, read-only view; the sandbox updates it under a lock.</summary>
public sealed class SandboxAccount
{
    private readonly Lock gate = new();
    private decimal balance;
    private int acceptedSubmissions;
    private decimal creditsCharged;
    private decimal creditsRefunded;
    private readonly List<SandboxCharge> charges = [];

    internal SandboxAccount(string provider, decimal balance)
    {
        Provider = provider;
        this.balance = balance;
    }

    public string Provider { get; }

    public decimal Balance { get { lock (gate) { return balance; } } }

    /// <summary>Generation POSTs the provider accepted (charged or not).</summary>
    public int AcceptedSubmissions { get { lock (gate) { return acceptedSubmissions; } } }

    /// <summary>Gross credits charged.</summary>
    public decimal CreditsCharged { get { lock (gate) { return creditsCharged; } } }

    /// <summary>Credits given back (Kolbo refunds failed or cancelled generations).</summary>
    public decimal CreditsRefunded { get { lock (gate) { return creditsRefunded; } } }

    internal void SetBalance(decimal credits)
    {
        lock (gate) { balance = credits; }
    }

    /// <summary>Every accepted submission and every refund, oldest first: what the provider's dashboard would list.</summary>
    public IReadOnlyList<SandboxCharge> Charges { get { lock (gate) { return [.. charges]; } } }

    /// <summary>Accepts a submission of <paramref name="prompt"/> and charges it, unless the balance cannot cover it (then nothing changes).</summary>
    internal bool TryAccept(decimal credits, string prompt)
    {
        lock (gate)
        {
            if (balance < credits)
            {
                return false;
            }

            balance -= credits;
            creditsCharged += credits;
            acceptedSubmissions++;
            charges.Add(new SandboxCharge(SandboxChargeKind.Accepted, credits, prompt));
            return true;
        }
    }

    internal bool CanAfford(decimal credits)
    {
        lock (gate) { return balance >= credits; }
    }

    internal void Refund(decimal credits, string prompt)
    {
        lock (gate)
        {
            balance += credits;
            creditsRefunded += credits;
            charges.Add(new SandboxCharge(SandboxChargeKind.Refunded, credits, prompt));
        }
    }

    internal AccountSnapshot Snapshot()
    {
        lock (gate)
        {
            return new AccountSnapshot(Provider, balance, acceptedSubmissions, creditsCharged, creditsRefunded);
        }
    }
}

/// <summary>The control endpoint's view of an account.</summary>
public sealed record AccountSnapshot(string Provider, decimal Balance, int AcceptedSubmissions, decimal CreditsCharged, decimal CreditsRefunded);

public enum SandboxChargeKind
{
    /// <summary>A generation submission was accepted and charged (possibly 0 credits).</summary>
    Accepted,

    /// <summary>Credits given back (Kolbo: a failed or cancelled generation).</summary>
    Refunded,
}

/// <summary>One line of an account's charge log: an accepted submission or a refund, with the prompt it was for.</summary>
public sealed record SandboxCharge(SandboxChargeKind Kind, decimal Credits, string Prompt);
