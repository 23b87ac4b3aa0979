using ImageHub.Providers.Coals;
using ImageHub.Providers.Koala;
using ImageHub.Providers.Kolbo;
using ImageHub.Providers.Qolaba;
using ImageHub.Providers.Tests.Support;
using ImageHub.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static ImageHub.Providers.Tests.Support.TestData;

namespace ImageHub.Providers.Tests.Contract;

public sealed class ResilienceAndRegistrationTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task Repeated_provider_failures_open_the_circuit_and_later_calls_are_not_sent()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        await using var services = ProviderServices.Build(fixture.Sandbox, new Dictionary<string, string?>
        {
            ["Providers:Resilience:MaxRetries"] = "0",
            ["Providers:Resilience:BreakerMinimumThroughput"] = "2",
            ["Providers:Resilience:BreakerBreakDuration"] = "00:05:00",
        });
        var coals = services.GetRequiredService<CoalsClient>();
        fixture.State.EnqueueFault(ProviderIds.Coals, key, new SandboxFault(SandboxFaultKind.ServerError, Count: 10, OnlyPath: "quota"));

        var first = await coals.CheckKeyAsync(credential, Ct);
        var second = await coals.CheckKeyAsync(credential, Ct);
        var third = await coals.CheckKeyAsync(credential, Ct);

        Assert.Equal(KeyCheckStatus.Error, first.Status);
        Assert.Equal(ProviderErrorKind.ProviderFailure, second.Error!.Kind);
        Assert.Equal(KeyCheckStatus.Error, third.Status);
        Assert.StartsWith("Coals has been failing repeatedly", third.Message);
        Assert.Equal(2, fixture.RequestsOf(ProviderIds.Coals, key).Count);
    }

    [Fact]
    public async Task Circuits_are_per_key_and_provider_so_one_failing_provider_does_not_stop_another()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        await using var services = ProviderServices.Build(fixture.Sandbox, new Dictionary<string, string?>
        {
            ["Providers:Resilience:MaxRetries"] = "0",
            ["Providers:Resilience:BreakerMinimumThroughput"] = "2",
            ["Providers:Resilience:BreakerBreakDuration"] = "00:05:00",
        });
        fixture.State.EnqueueFault(ProviderIds.Coals, key, new SandboxFault(SandboxFaultKind.ServerError, Count: 10));
        var coals = services.GetRequiredService<CoalsClient>();
        for (var i = 0; i < 3; i++) await coals.CheckKeyAsync(credential, Ct);

        var kolbo = await services.GetRequiredService<KolboClient>().CheckKeyAsync(credential, Ct);

        Assert.Equal(KeyCheckStatus.Valid, kolbo.Status);
    }

    [Fact]
    public void One_registration_gives_four_providers_by_id_with_the_live_hosts_by_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        using var services = new ServiceCollection().AddImageHubProviders(configuration).BuildServiceProvider();

        var registry = services.GetRequiredService<IProviderRegistry>();

        Assert.Equal(["koala", "qolaba", "coals", "kolbo"], registry.All.Select(p => p.Id));
        Assert.IsType<KolboClient>(registry.Get("KOLBO"));
        Assert.False(registry.TryGet("midjourney", out _));
        Assert.Throws<KeyNotFoundException>(() => registry.Get("midjourney"));
        Assert.Equal("https://koala.sh/", services.GetRequiredService<IOptions<KoalaOptions>>().Value.BaseUrl.AbsoluteUri);
        Assert.Equal("https://api.platform.qolaba.ai/", services.GetRequiredService<IOptions<QolabaOptions>>().Value.BaseUrl.AbsoluteUri);
        Assert.Equal("https://coals.ai/api/v1/graphicoal/", services.GetRequiredService<IOptions<CoalsOptions>>().Value.BaseUrl.AbsoluteUri);
        Assert.Equal("https://api.kolbo.ai/api/", services.GetRequiredService<IOptions<KolboOptions>>().Value.BaseUrl.AbsoluteUri);
        Assert.Equal("X-API-Key", services.GetRequiredService<IOptions<QolabaOptions>>().Value.AuthHeader);
        Assert.False(services.GetRequiredService<IOptions<ProvidersOptions>>().Value.AllowPrivateNetworks);
    }

    [Fact]
    public async Task Base_urls_set_after_configuration_win_so_the_app_can_point_at_its_sandbox()
    {
        var key = NewKey();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:Kolbo:BaseUrl"] = "https://kolbo.invalid/api/",
        }).Build();
        var urls = fixture.Sandbox.BaseUrls;
        await using var services = new ServiceCollection().AddImageHubProviders(configuration)
            .ConfigureProviderBaseUrls(urls.Koala, urls.Qolaba, urls.Coals, urls.Kolbo).BuildServiceProvider();

        var check = await services.GetRequiredService<IProviderRegistry>().Get(ProviderIds.Kolbo).CheckKeyAsync(new ProviderCredential(key), Ct);

        Assert.Equal(KeyCheckStatus.Valid, check.Status);
        Assert.Single(fixture.RequestsOf(ProviderIds.Kolbo, key));
    }

    [Fact]
    public void An_unknown_qolaba_auth_header_setting_is_refused_with_a_message_naming_the_choices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Providers:Qolaba:AuthHeader"] = "Basic" }).Build();
        using var services = new ServiceCollection().AddImageHubProviders(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<QolabaOptions>>().Value);

        Assert.Contains("\"X-API-Key\" or \"Bearer\"", error.Message);
    }

    [Fact]
    public void A_negative_kolbo_generation_limit_is_refused_with_a_message_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Providers:Kolbo:GenerationsPerMinute"] = "-1" }).Build();
        using var services = new ServiceCollection().AddImageHubProviders(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KolboOptions>>().Value);

        Assert.Contains("Providers:Kolbo:GenerationsPerMinute", error.Message);
    }
}
