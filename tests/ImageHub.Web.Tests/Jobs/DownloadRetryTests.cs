using ImageHub.Sandbox;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>The image of a generation the provider made (and charged for) is not lost to one transient download error.</summary>
public sealed class DownloadRetryTests
{
    [Theory]
    [InlineData(SandboxFaultKind.ServerError)]
    [InlineData(SandboxFaultKind.DropAfterAccept)]
    public async Task A_transient_failure_of_the_image_download_is_retried_and_the_paid_image_is_kept(SandboxFaultKind fault)
    {
        await using var host = JobsHost.Start();
        host.Sandbox.EnqueueFault("koala", JobsHost.SandboxKey, new SandboxFault(fault, OnlyPath: ".png") /* the image URL; "image" would also match the POST to api/image-generation */);

        var id = await host.SubmitAsync("koala", "a lighthouse worth keeping");
        var done = await host.WaitForAsync(id);

        Assert.True(done.GetProperty("status").GetString() == "Succeeded", done.ToString());
        Assert.Single(done.GetProperty("images").EnumerateArray());
        Assert.Equal(2, host.Sandbox.Requests.Count(r => r.Provider == "koala" && r.Method == "GET" && r.PathAndQuery.Contains("/images/", StringComparison.Ordinal)));
        Assert.Equal(1, host.Account("koala").AcceptedSubmissions);
    }
}
