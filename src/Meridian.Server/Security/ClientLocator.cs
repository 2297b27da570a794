using System.Net;
using Meridian.Core.Geo;
using Meridian.Core.Validation;
using Meridian.Planning.Demand;
using Meridian.Server.Steering;
using Meridian.Steering.Routing;
using Meridian.Storage.Security;

namespace Meridian.Server.Security;

/// <summary>Where a client is, from sources it cannot forge. The country residency is decided on comes from, in order:
/// the X-Client-Country header when the request comes through a trusted proxy; the <c>country</c> parameter when the
/// caller is an operator or admin (a hint for operators and tests); otherwise the client's address (after a trusted
/// proxy's X-Forwarded-For) in the embedded IP-to-country database. Latitude and longitude only rank the regions the
/// country may use; without them the country's most populous city stands in.</summary>
public sealed class ClientLocator(SecurityOptions options, IpCountries countries)
{
    public const string PeerItem = "meridian:peer";
    private readonly IPNetwork[] _trusted = TrustedNetworks(options.TrustedProxies);
    private static readonly Lazy<Dictionary<string, Core.Model.GeoPoint>> Largest = new(() =>
        Cities.All.GroupBy(c => c.Country).ToDictionary(g => g.Key, g => g.MaxBy(c => c.Population)!.Location, StringComparer.Ordinal));

    public static IPNetwork[] TrustedNetworks(IEnumerable<string> entries) => entries.Select(e => Network(e)
        ?? throw new ArgumentException($"Meridian:Security:TrustedProxies: '{e}' is not an IP address or CIDR range")).ToArray();

    /// <summary>True when <paramref name="entry"/> is an address or a CIDR range (checked with the options at start).</summary>
    public static bool IsNetwork(string entry) => Network(entry) is not null;

    private static IPNetwork? Network(string e) =>
        IPNetwork.TryParse(e, out var network) ? network
        : IPAddress.TryParse(e, out var ip) ? new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
        : null;

    /// <summary>True when the connection itself comes from a trusted proxy.</summary>
    public bool FromTrustedProxy(HttpContext http)
    {
        var peer = http.Items[PeerItem] as IPAddress ?? http.Connection.RemoteIpAddress;
        if (peer is null) return false;
        if (peer.IsIPv4MappedToIPv6) peer = peer.MapToIPv4();
        return _trusted.Any(n => n.Contains(peer));
    }

    /// <summary>The client's location and where its country came from ("proxy", "hint" or "address").</summary>
    public (ClientLocation Location, string CountrySource) Locate(HttpContext http, string? lat, string? lon, string? country)
    {
        var proxy = FromTrustedProxy(http);
        var headers = http.Request.Headers;
        if (proxy)
        {
            lat = First(headers["X-Client-Lat"], lat);
            lon = First(headers["X-Client-Lon"], lon);
        }
        string? given = null, source = null;
        if (proxy && headers["X-Client-Country"].ToString() is { Length: > 0 } header) (given, source) = (header, "proxy");
        else if (!string.IsNullOrWhiteSpace(country) && Caller.Find(http) is { } caller && caller.Role.Covers(Role.Operator)) (given, source) = (country, "hint");
        if (given is null)
        {
            var address = http.Connection.RemoteIpAddress;
            given = countries.CountryOf(address)
                ?? throw RegistryException.Invalid([new FieldError("country", $"cannot tell the country of the client's address {address} (private, loopback or unknown); " +
                                                                              "a trusted proxy sets X-Client-Country, or an operator token gives country")]);
            source = "address";
        }
        var cc = given.Trim().ToUpperInvariant();
        if (string.IsNullOrWhiteSpace(lat) && string.IsNullOrWhiteSpace(lon) && Countries.IsKnown(cc) && Largest.Value.TryGetValue(cc, out var city))
        {
            lat = city.Latitude.ToString(System.Globalization.CultureInfo.InvariantCulture);
            lon = city.Longitude.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return (ClientLocations.Parse(lat, lon, given), source!);
    }

    private static string? First(string? a, string? b) => string.IsNullOrEmpty(a) ? b : a;
}
