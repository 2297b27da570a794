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
        foreach (var network in _trusted)
            if (network.Contains(peer)) return true;
        return false;
    }

    /// <summary>The client's location and where its country came from ("proxy", "hint" or "address").</summary>
    public (ClientLocation Location, string CountrySource) Locate(HttpContext http, string? lat, string? lon, string? country)
    {
        var (given, source) = Select(http, ref lat, ref lon, country);
        if (given is null)
        {
            var address = http.Connection.RemoteIpAddress;
            throw RegistryException.Invalid([new FieldError("country", $"cannot tell the country of the client's address {address} (private, loopback or unknown); " +
                                                                       "a trusted proxy sets X-Client-Country, or an operator token gives country")]);
        }
        if (Point(given, lat, lon) is { } where)
            return (new ClientLocation(new Core.Model.GeoPoint(where.Latitude, where.Longitude), where.Country), source);
        // Something is missing or wrong: the parser names each field.
        return (ClientLocations.Parse(lat, lon, given), source);
    }

    /// <summary>The gateway's way: the same place as <see cref="Locate"/> without building strings or objects, or false when
    /// something is missing or wrong (then <see cref="Locate"/> says what).</summary>
    public bool TryLocate(HttpContext http, string? lat, string? lon, string? country, out ClientPoint where)
    {
        var (given, _) = Select(http, ref lat, ref lon, country);
        where = given is null ? default : Point(given, lat, lon) ?? default;
        return where.Country is not null;
    }

    /// <summary>A known country and a point: the coordinates given, or without any, the country's most populous city.</summary>
    private static ClientPoint? Point(string given, string? lat, string? lon)
    {
        var cc = given.Trim().ToUpperInvariant(); // the same string when it is already a trimmed upper-case code
        if (!Countries.IsKnown(cc)) return null;
        if (string.IsNullOrWhiteSpace(lat) && string.IsNullOrWhiteSpace(lon))
            return Largest.Value.TryGetValue(cc, out var city) ? new ClientPoint(cc, city.Latitude, city.Longitude) : null;
        return Coordinate(lat, 90, out var la) && Coordinate(lon, 180, out var lo) ? new ClientPoint(cc, la, lo) : null;
    }

    private static bool Coordinate(string? text, double bound, out double value) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value) && value >= -bound && value <= bound;

    /// <summary>The country as given and its source (null when only the address could tell, and it cannot); a trusted
    /// proxy's coordinates replace the request's.</summary>
    private (string? Country, string Source) Select(HttpContext http, ref string? lat, ref string? lon, string? country)
    {
        var proxy = FromTrustedProxy(http);
        var headers = http.Request.Headers;
        if (proxy)
        {
            lat = First(headers["X-Client-Lat"], lat);
            lon = First(headers["X-Client-Lon"], lon);
            if (headers["X-Client-Country"].ToString() is { Length: > 0 } header) return (header, "proxy");
        }
        if (!string.IsNullOrWhiteSpace(country) && Caller.Find(http) is { } caller && caller.Role.Covers(Role.Operator)) return (country, "hint");
        return (countries.CountryOf(http.Connection.RemoteIpAddress), "address");
    }

    private static string? First(string? a, string? b) => string.IsNullOrEmpty(a) ? b : a;
}

/// <summary>Where a client is, as the gateway needs it: its country (a known alpha-2 code) and a point.</summary>
public readonly record struct ClientPoint(string Country, double Latitude, double Longitude);
