using MudBlazor;

namespace ImageHub.Web.Components.Layout;

/// <summary>
/// ImageHub's one MudTheme: a calm neutral canvas with one indigo accent (links, primary buttons, selected chips),
/// sentence-case buttons, the platform's own UI font, and a dark palette whose secondary text still reads (AA on
/// its surfaces). Every colour in the app comes from here, as MudBlazor's CSS variables.
/// </summary>
public static class AppTheme
{
    private static readonly string[] Font = ["Inter", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4f46e5",
            PrimaryContrastText = "#ffffff",
            Secondary = "#52525b",
            Tertiary = "#0e7490",
            Info = "#2563eb",
            Success = "#15803d",
            Warning = "#b45309",
            Error = "#c62828",
            Dark = "#27272a",
            Black = "#18181b",
            TextPrimary = "#18181b",
            TextSecondary = "#52525b",
            TextDisabled = "#71717a",
            ActionDefault = "#52525b",
            Background = "#f6f6f8",
            BackgroundGray = "#ededf0",
            Surface = "#ffffff",
            AppbarBackground = "#ffffff",
            AppbarText = "#18181b",
            DrawerBackground = "#fbfbfc",
            DrawerText = "#3f3f46",
            DrawerIcon = "#52525b",
            LinesDefault = "#e4e4e7",
            LinesInputs = "#a1a1aa",
            TableLines = "#ececef",
            TableHover = "#f4f4f5",
            Divider = "#e4e4e7",
            DividerLight = "#f0f0f2",
            Skeleton = "#ececef",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a5b4fc",
            PrimaryContrastText = "#111827",
            Secondary = "#a1a1aa",
            Tertiary = "#67e8f9",
            Info = "#93c5fd",
            Success = "#86efac",
            Warning = "#fcd34d",
            Error = "#fca5a5",
            Dark = "#27272a",
            Black = "#09090b",
            TextPrimary = "#ededef",
            TextSecondary = "#b4b4bd",
            TextDisabled = "#8b8b94",
            ActionDefault = "#b4b4bd",
            ActionDisabled = "#71717a",
            Background = "#0e0f12",
            BackgroundGray = "#18191d",
            Surface = "#16171b",
            AppbarBackground = "#16171b",
            AppbarText = "#ededef",
            DrawerBackground = "#121316",
            DrawerText = "#d4d4d8",
            DrawerIcon = "#b4b4bd",
            LinesDefault = "#2a2b31",
            LinesInputs = "#6b6b75",
            TableLines = "#26272c",
            TableHover = "#1d1e23",
            Divider = "#2a2b31",
            DividerLight = "#202126",
            Skeleton = "#24252b",
            OverlayDark = "rgba(0,0,0,0.6)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Font, FontSize = "0.9375rem", LineHeight = "1.5", LetterSpacing = "normal" },
            H4 = new H4Typography { FontFamily = Font, FontSize = "1.5rem", FontWeight = "600", LineHeight = "1.3", LetterSpacing = "-0.01em" },
            H5 = new H5Typography { FontFamily = Font, FontSize = "1.25rem", FontWeight = "600", LineHeight = "1.35", LetterSpacing = "-0.005em" },
            H6 = new H6Typography { FontFamily = Font, FontSize = "1.0625rem", FontWeight = "600", LineHeight = "1.4", LetterSpacing = "normal" },
            Subtitle1 = new Subtitle1Typography { FontFamily = Font, FontSize = "0.9375rem", FontWeight = "400", LineHeight = "1.5", LetterSpacing = "normal" },
            Subtitle2 = new Subtitle2Typography { FontFamily = Font, FontSize = "0.875rem", FontWeight = "600", LineHeight = "1.45", LetterSpacing = "normal" },
            Body1 = new Body1Typography { FontFamily = Font, FontSize = "0.9375rem", LineHeight = "1.55", LetterSpacing = "normal" },
            Body2 = new Body2Typography { FontFamily = Font, FontSize = "0.875rem", LineHeight = "1.5", LetterSpacing = "normal" },
            Button = new ButtonTypography { FontFamily = Font, FontSize = "0.875rem", FontWeight = "500", LineHeight = "1.75", LetterSpacing = "normal", TextTransform = "none" },
            Caption = new CaptionTypography { FontFamily = Font, FontSize = "0.8125rem", LineHeight = "1.45", LetterSpacing = "normal" },
            Overline = new OverlineTypography { FontFamily = Font, FontSize = "0.75rem", FontWeight = "600", LineHeight = "1.5", LetterSpacing = "0.04em", TextTransform = "none" },
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "8px",
            AppbarHeight = "56px",
            DrawerWidthLeft = "232px",
        },
    };
}
