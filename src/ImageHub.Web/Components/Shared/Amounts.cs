using System.Globalization;

namespace ImageHub.Web.Components.Shared;

/// <summary>How amounts read on every page (composer, gallery, spend): "2.5 credits", "$0.02".</summary>
public static class Amounts
{
    /// <summary>"1 credit", "2.5 credits".</summary>
    public static string Credits(decimal credits) =>
        credits.ToString("0.##", CultureInfo.InvariantCulture) + (credits == 1 ? " credit" : " credits");

    /// <summary>"$0.02", "$0.005".</summary>
    public static string Usd(decimal usd) => usd.ToString("$0.00##", CultureInfo.InvariantCulture);
}
