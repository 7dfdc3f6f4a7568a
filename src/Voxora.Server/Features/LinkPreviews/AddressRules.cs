using System.Net;
using System.Net.Sockets;

namespace Voxora.Server.Features.LinkPreviews;

/// <summary>
/// Which addresses the link preview fetcher may connect to: public unicast only. Pure rules, no I/O.
/// <para>IPv4: refuses 0/8 ("this network"), 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16 (link-local, cloud metadata
/// 169.254.169.254), 172.16/12, 192.0.0/24 (IETF), 192.0.2/24, 198.51.100/24, 203.0.113/24 (documentation), 192.88.99/24
/// (6to4 relay), 192.168/16, 198.18/15 (benchmarking), 224/4 (multicast) and 240/4 (reserved, broadcast).</para>
/// <para>IPv6: only global unicast 2000::/3 is considered at all (so ::, ::1, IPv4-mapped ::ffff:0:0/96, IPv4-compatible
/// ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, discard 100::/64, SRv6 5f00::/16, unique-local fc00::/7, link-local
/// fe80::/10, site-local fec0::/10 and multicast ff00::/8 are all refused), and inside it 2001::/23 (IETF: Teredo 2001::/32,
/// benchmarking, ORCHID), 2001:db8::/32 and 3fff::/20 (documentation) and 6to4 2002::/16 whose embedded IPv4 address is
/// not public are refused too.</para>
/// </summary>
public static class AddressRules
{
    private static readonly (uint Network, int Prefix)[] RefusedV4 =
    [
        (V4(0, 0, 0, 0), 8),
        (V4(10, 0, 0, 0), 8),
        (V4(100, 64, 0, 0), 10),
        (V4(127, 0, 0, 0), 8),
        (V4(169, 254, 0, 0), 16),
        (V4(172, 16, 0, 0), 12),
        (V4(192, 0, 0, 0), 24),
        (V4(192, 0, 2, 0), 24),
        (V4(192, 88, 99, 0), 24),
        (V4(192, 168, 0, 0), 16),
        (V4(198, 18, 0, 0), 15),
        (V4(198, 51, 100, 0), 24),
        (V4(203, 0, 113, 0), 24),
        (V4(224, 0, 0, 0), 4),
        (V4(240, 0, 0, 0), 4),
    ];

    /// <summary>True when <paramref name="address"/> is a public unicast address a preview may be fetched from.</summary>
    public static bool IsPublic(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => IsPublicV4(ToUInt32(address)),
        AddressFamily.InterNetworkV6 => IsPublicV6(address.GetAddressBytes()),
        _ => false,
    };

    private static bool IsPublicV4(uint value)
    {
        foreach (var (network, prefix) in RefusedV4)
        {
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            if ((value & mask) == network)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPublicV6(byte[] b)
    {
        // Global unicast 2000::/3 only: every special form outside it (mapped, compatible, NAT64, ULA, link-local, multicast) is refused.
        if ((b[0] & 0xE0) != 0x20)
        {
            return false;
        }

        // 2001::/23: IETF protocol assignments (Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID 2001:10::/28 and 2001:20::/28).
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02)
        {
            return false;
        }

        // 2001:db8::/32 and 3fff::/20: documentation.
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        {
            return false;
        }

        if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xF0) == 0)
        {
            return false;
        }

        // 6to4: 2002:AABB:CCDD::/48 reaches the IPv4 address AA.BB.CC.DD.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(((uint)b[2] << 24) | ((uint)b[3] << 16) | ((uint)b[4] << 8) | b[5]);
        }

        return true;
    }

    private static uint V4(byte a, byte b, byte c, byte d) => ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d;

    private static uint ToUInt32(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return V4(b[0], b[1], b[2], b[3]);
    }
}
