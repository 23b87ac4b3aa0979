using ImageHub.Web.Features.Account;

namespace ImageHub.Web.Components;

/// <summary>The Radzen themes behind the light/dark choice.</summary>
public static class ThemeNames
{
    public const string Light = "material";
    public const string Dark = "material-dark";

    public static string For(UiTheme theme) => theme == UiTheme.Dark ? Dark : Light;
}
