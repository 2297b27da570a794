using System.Net;
using MaxMind.Db;

namespace Meridian.Server.Security;

/// <summary>The country of an IP address, from the embedded geo-whois-asn-country database (data/ip). Private, loopback
/// and unallocated addresses have none.</summary>
public sealed class IpCountries : IDisposable
{
    private readonly Reader _reader;

    public IpCountries()
    {
        using var stream = typeof(IpCountries).Assembly.GetManifestResourceStream("ip/geo-whois-asn-country.mmdb")
            ?? throw new InvalidOperationException("the IP-to-country database is not embedded in Meridian.Server");
        _reader = new Reader(stream);
    }

    public string? CountryOf(IPAddress? address)
    {
        if (address is null) return null;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var record = _reader.Find<Dictionary<string, object>>(address);
        return record?.GetValueOrDefault("country_code") as string;
    }

    public void Dispose() => _reader.Dispose();
}
