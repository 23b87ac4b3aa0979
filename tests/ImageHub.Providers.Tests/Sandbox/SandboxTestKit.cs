using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageHub.Sandbox;

namespace ImageHub.Providers.Tests.Sandbox;

/// <summary>Starting a sandbox with no delays, and speaking to it with a plain HttpClient.</summary>
internal static class SandboxTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<SandboxServer> StartAsync(Action<SandboxOptions>? configure = null) =>
        SandboxServer.StartAsync(options =>
        {
            options.KoalaReadyDelay = TimeSpan.Zero;
            options.QolabaTaskStepDelay = TimeSpan.Zero;
            options.KolboStepDelay = TimeSpan.Zero;
            configure?.Invoke(options);
        }, Ct);

    /// <summary>Waits (without asserting on time) until the sandbox has seen a request; its fault, if any, is then spent.</summary>
    public static async Task UntilRecordedAsync(SandboxServer sandbox, int requests = 1)
    {
        for (var i = 0; i < 6000 && sandbox.State.Requests.Count < requests; i++)
        {
            await Task.Delay(10, Ct);
        }
    }

    public static HttpClient KoalaClient(SandboxServer sandbox, string? key = "koala-key") => Bearer(sandbox.BaseUrls.Koala, key);

    public static HttpClient QolabaClient(SandboxServer sandbox, string? key = "qolaba-key") => Header(sandbox.BaseUrls.Qolaba, "X-API-Key", key);

    public static HttpClient CoalsClient(SandboxServer sandbox, string? key = "coals-key") => Bearer(sandbox.BaseUrls.Coals, key);

    public static HttpClient KolboClient(SandboxServer sandbox, string? key = "kolbo_test_key") => Header(sandbox.BaseUrls.Kolbo, "X-API-Key", key);

    public static HttpClient Plain(Uri baseAddress) => new() { BaseAddress = baseAddress };

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostJsonAsync(this HttpClient http, string path, string json)
    {
        var response = await http.PostAsync(path, Json(json), Ct);
        return (response, await response.ReadJsonAsync());
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> GetJsonAsync(this HttpClient http, string path)
    {
        var response = await http.GetAsync(path, Ct);
        return (response, await response.ReadJsonAsync());
    }

    public static async Task<PngFile> GetPngAsync(this HttpClient http, string url)
    {
        using var response = await http.GetAsync(url, Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        return PngFile.Parse(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    public static async Task<byte[]> GetBytesAsync(this HttpClient http, string url) =>
        await http.GetByteArrayAsync(url, Ct);

    private static HttpClient Bearer(Uri baseAddress, string? key)
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    private static HttpClient Header(Uri baseAddress, string header, string? key)
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add(header, key);
        }

        return http;
    }
}
