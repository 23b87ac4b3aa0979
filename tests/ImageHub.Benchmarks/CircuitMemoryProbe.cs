using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ImageHub.Benchmarks;

/// <summary>
/// Memory per idle circuit on the gallery page, in a process of its own (<c>circuits</c>, started by the targets
/// command with the server GC the web app runs with): the app on a loopback port (SQLite, sandbox, a page of 48
/// images), one Chromium signed in as the administrator, then per round: the settled working set, <c>count</c>
/// gallery pages opened (each one real Blazor circuit: the layout flips <c>data-interactive</c> and the server's
/// CircuitHandler counts it), left idle, the settled working set again, the pages closed. Settled = a full
/// compacting GC and a pause. Prints one line per round: <c>CIRCUITS ws_kb_per_circuit managed_kb_per_circuit</c>.
/// </summary>
internal static class CircuitMemoryProbe
{
    private static int open;
    private static string Path = "/gallery";
    private static int Images;

    private sealed class Counter : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref open);
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref open);
            return Task.CompletedTask;
        }
    }

    public static async Task<int> RunAsync(int count, int rounds, int images = 48, string path = "/gallery")
    {
        var settings = GenerationDriver.Settings(concurrency: 8, prePainted: true);
        await using var host = await BenchHost.StartAsync("Sqlite", settings, token: "ihp_benchmark_token_0000000000000003",
            services: s =>
            {
                s.AddScoped<CircuitHandler, Counter>();
                // A page that closes without its disconnect beacon leaves its circuit retained (3 min by default); end
                // such circuits soon so each round starts from none. Idle circuits (the ones measured) stay connected.
                s.Configure<Microsoft.AspNetCore.Components.Server.CircuitOptions>(o => o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromSeconds(2));
            }, kestrel: true);
        using (var driver = new GenerationDriver(host)) await driver.RunAsync(images, 8); // 48: a full first page of the gallery
        Path = path;
        Images = images;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.BaseUrl!.ToString() });
        context.SetDefaultTimeout(120_000);
        var login = await context.NewPageAsync();
        await login.GotoAsync("/Account/Login");
        await login.FillAsync("#email", BenchHost.AdminEmail);
        await login.FillAsync("#password", BenchHost.AdminPassword);
        await login.ClickAsync("[data-testid=login-submit]");
        await login.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
        await login.Locator("main[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await CloseAllAsync([login]);

        // Warm up: JIT, the gallery's thumbnails, the component and render pools.
        await CloseAllAsync(await OpenAsync(context, 3));
        for (var round = 0; round < rounds; round++)
        {
            var (wsBefore, heapBefore) = await SettleAsync();
            var pages = await OpenAsync(context, count);
            var (wsAfter, heapAfter) = await SettleAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CIRCUITS {(wsAfter - wsBefore) / 1024.0 / count:0.0} {(heapAfter - heapBefore) / 1024.0 / count:0.0} {count} {wsBefore / 1048576.0:0} {wsAfter / 1048576.0:0}"));
            if (Environment.GetEnvironmentVariable("IMAGEHUB_BENCH_HOLD_SECONDS") is { } hold)
            {
                Console.WriteLine($"HOLD {Environment.ProcessId}: {count} circuits open for {hold} s (e.g. dotnet-gcdump collect -p {Environment.ProcessId})");
                await Task.Delay(TimeSpan.FromSeconds(int.Parse(hold, CultureInfo.InvariantCulture)));
            }
            await CloseAllAsync(pages);
        }
        return 0;
    }

    private static async Task<List<IPage>> OpenAsync(IBrowserContext context, int count)
    {
        var pages = new List<IPage>();
        // A few at a time: Chromium and the app share 2 cores.
        foreach (var chunk in Enumerable.Range(0, count).Chunk(4))
        {
            pages.AddRange(await Task.WhenAll(chunk.Select(async _ =>
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(Path);
                await page.Locator("main[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
                if (Path == "/gallery") await page.Locator(Images > 0 ? "[data-testid=gallery-tile]" : "[data-testid=gallery-empty]").First.WaitForAsync();
                return page;
            })));
        }
        await WaitForAsync(() => Volatile.Read(ref open) == count);
        return pages;
    }

    private static async Task CloseAllAsync(List<IPage> pages)
    {
        foreach (var page in pages)
        {
            await page.GotoAsync("about:blank"); // pagehide: Blazor sends its disconnect beacon and the circuit ends now, not after retention
            await page.CloseAsync();
        }
        await WaitForAsync(() => Volatile.Read(ref open) == 0);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"Circuits did not reach the expected count ({Volatile.Read(ref open)} open).");
            await Task.Delay(100);
        }
    }

    /// <summary>The working set and the managed heap after a full compacting collection and a pause for stragglers.</summary>
    private static async Task<(long WorkingSet, long Managed)> SettleAsync()
    {
        await Task.Delay(2000);
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        await Task.Delay(500);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return (self.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false));
    }
}
