using System.Globalization;

namespace ImageHub.Web.Features.Compose;

/// <summary>How amounts read on the composer, the gallery and the spend page.</summary>
public static class ComposeText
{
    /// <summary>"1 credit", "2.5 credits".</summary>
    public static string Credits(decimal credits) =>
        credits.ToString("0.##", CultureInfo.InvariantCulture) + (credits == 1 ? " credit" : " credits");

    /// <summary>"$0.02", "$0.005".</summary>
    public static string Usd(decimal usd) => usd.ToString("$0.00##", CultureInfo.InvariantCulture);
}
