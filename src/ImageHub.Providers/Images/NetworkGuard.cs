using System.Net;
using System.Net.Sockets;

namespace ImageHub.Providers.Images;

/// <summary>Which addresses the image fetcher may connect to (SSRF protection), decided on the resolved address.</summary>
public static class NetworkGuard
{
    /// <summary>True for loopback, private, link-local, CGNAT, unspecified, multicast, broadcast and other non-public ranges (IPv4 and IPv6).</summary>
    public static bool IsNonPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => true,                                   // "this" network
                10 => true,                                  // private
                100 when b[1] is >= 64 and <= 127 => true,   // CGNAT 100.64/10
                127 => true,                                 // loopback
                169 when b[1] == 254 => true,                // link-local (cloud metadata lives here)
                172 when b[1] is >= 16 and <= 31 => true,    // private
                192 when b[1] == 168 => true,                // private
                192 when b[1] == 0 && b[2] is 0 or 2 => true, // IETF protocol assignments, TEST-NET-1
                198 when b[1] is 18 or 19 => true,           // benchmarking
                198 when b[1] == 51 && b[2] == 100 => true,  // TEST-NET-2
                203 when b[1] == 0 && b[2] == 113 => true,   // TEST-NET-3
                >= 224 => true,                              // multicast, reserved, broadcast
                _ => false,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)) return true;
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast) return true;
            var b = address.GetAddressBytes();
            if ((b[0] & 0xFE) == 0xFC) return true;          // unique local fc00::/7
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return true; // documentation 2001:db8::/32
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) return true; // NAT64 64:ff9b::/96 may reach private v4
            if (address.IsIPv6Teredo) return true;
            if (b[0] == 0x20 && b[1] == 0x02) return true;    // 6to4 embeds arbitrary IPv4
            return false;
        }
        return true;
    }
}
