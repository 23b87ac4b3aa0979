using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ImageHub.Web.Features.Api;

public static class ApiExtensions
{
    /// <summary>API tokens (the bearer scheme, the settings page's service, Bootstrap:ApiToken), the API policies and OpenAPI.</summary>
    public static IServiceCollection AddImageHubApi(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder().AddApiPolicies();
        services.AddSingleton<IAuthorizationHandler, ApiScopeHandler>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<CredentialRecheck>();
        services.AddHostedService<BootstrapApiToken>();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ImageHub API";
            document.Info.Description = "Generations on KoalaImages, Qolaba, Coals.ai and Kolbo; images; spend. " +
                "Authenticate with Authorization: Bearer <token> (make one at /settings/tokens, with the scopes generate, read, keys or admin each operation names). Errors are RFC 7807 problem details.";
            return Task.CompletedTask;
        }).AddOperationTransformer((operation, context, _) =>
        {
            // Say on each operation which token scope it needs, so a script's author can make the right token.
            var scope = context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiScopeMetadata>().LastOrDefault();
            if (scope is not null)
            {
                var line = $"API tokens need the `{ApiScopeNames.Name(scope.Scope)}` scope.";
                operation.Description = string.IsNullOrEmpty(operation.Description) ? line : operation.Description + "\n\n" + line;
            }
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary><c>/openapi/v1.json</c>; each feature maps its own <c>/api/v1/...</c> endpoints.</summary>
    public static IEndpointRouteBuilder MapImageHubApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        return app;
    }
}
