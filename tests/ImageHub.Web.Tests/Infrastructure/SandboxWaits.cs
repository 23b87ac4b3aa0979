using ImageHub.Sandbox;

namespace ImageHub.Tests.Infrastructure;

public static class SandboxWaits
{
    /// <summary>Waits until the sandbox has received a <paramref name="method"/> to one of <paramref name="provider"/>'s generation paths.</summary>
    public static async Task WaitForRequestAsync(this SandboxServer sandbox, string provider, string method)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMinutes(1)); // a hang guard, not an assertion on time
        while (!sandbox.State.Requests.Any(r => r.Provider == provider && r.Method == method && !r.PathAndQuery.Contains("models")))
        {
            await Task.Delay(10, giveUp.Token);
        }
    }
}
