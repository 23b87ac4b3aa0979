namespace ImageHub.Sandbox;

// Not top-level statements: the web app references this project and owns the global `Program`.
public static class SandboxProgram
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // request lines would carry control URLs with keys
        builder.Services.AddImageHubSandbox(options => builder.Configuration.GetSection("Sandbox").Bind(options));
        var app = builder.Build();
        app.MapGet("/", () => Results.Text(Describe(app.Urls.FirstOrDefault() ?? DefaultUrl)));
        app.MapImageHubSandbox();
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(Describe(app.Urls.First())));
        app.Run();
    }

    private static string Describe(string url)
    {
        var root = new Uri(url.TrimEnd('/') + "/");
        var bases = SandboxBaseUrls.For(root);
        return $"""
            ImageHub sandbox listening on {root}
              Koala  base URL: {bases.Koala}
              Qolaba base URL: {bases.Qolaba}
              Coals  base URL: {bases.Coals}
              Kolbo  base URL: {bases.Kolbo}
              Control:         {root}_control/accounts/{"{provider}"}/{"{key}"}[/charges], {root}_control/faults
            Any key works, except by convention: a key starting with 'bad' is refused (401); a Koala key containing
            'noplan' gets 403 for premium models; a Coals key containing 'noscope' gets 403 on generate; a Kolbo key
            containing 'apipath' gets poll URLs in the host-absolute "/.../api/v1/generate/{"{id}"}/status" form.
            """;
    }
}
