using System.Net;
using System.Net.Sockets;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Validation;

namespace Meridian.Server.Security;

/// <summary>What a service endpoint may point at, so the gateway and the health checker cannot be aimed at the server's own
/// network: http or https only, no user-info, and no loopback, link-local (the cloud metadata address 169.254.169.254
/// among them), unspecified or multicast address, nor this server's own listen address, unless
/// <see cref="SecurityOptions.AllowedEndpointHosts"/> names the host. Checked when an endpoint is written and again on every
/// connection, after DNS, so a name that later resolves to a refused address is refused too.</summary>
public sealed class EndpointPolicy(SecurityOptions options)
{
    private static readonly string[] MetadataNames = ["metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"];
    private readonly HashSet<string> _allowed = new(options.AllowedEndpointHosts.Select(h => h.Trim().ToLowerInvariant()), StringComparer.Ordinal);
    private volatile IReadOnlyList<Uri> _listen = [];

    /// <summary>The addresses the server listens on, once it has started.</summary>
    public void Listening(IEnumerable<string> urls) => _listen = urls.Select(u => new Uri(u)).ToArray();

    /// <summary>Problems with every endpoint of every service in <paramref name="world"/>.</summary>
    public IReadOnlyList<FieldError> Check(World world) =>
        world.Services.Values.SelectMany(s => Check(s).Select(e => new FieldError($"services[{s.Id}].{e.Field}", e.Message))).ToArray();

    public IReadOnlyList<FieldError> Check(Service service)
    {
        var errors = new List<FieldError>();
        foreach (var (region, url) in service.Endpoints ?? new Dictionary<string, string>())
        {
            if (Problem(url) is { } problem) errors.Add(new($"endpoints.{region}", problem));
        }
        return errors;
    }

    public string? Problem(string url)
    {
        // A URL that is not absolute http or https is the registry's rule (Rules.Check(Service)), reported there.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return null;
        if (uri.UserInfo.Length > 0) return "carries a user name or password; give credentials to the backend another way";
        if (Allowed(uri.IdnHost, uri.Port)) return null;
        var host = uri.IdnHost.ToLowerInvariant();
        if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal)) return $"'{uri.Host}' is this machine (loopback); allow it in Meridian:Security:AllowedEndpointHosts";
        if (MetadataNames.Contains(host)) return $"'{uri.Host}' is a cloud metadata service";
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && Refused(ip, uri.Port) is { } why) return $"'{uri.Host}' is {why}; allow it in Meridian:Security:AllowedEndpointHosts";
        return null;
    }

    /// <summary>Why a connection to <paramref name="ip"/>:<paramref name="port"/> is refused, or null.</summary>
    public string? Refused(IPAddress ip, int port, string? host = null)
    {
        if (host is not null && Allowed(host, port)) return null;
        if (Allowed(ip.ToString(), port)) return null;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip)) return "a loopback address";
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) return "the unspecified address";
        var bytes = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            if (bytes[0] == 169 && bytes[1] == 254) return "a link-local address (where cloud metadata services live)";
            if (bytes[0] >= 224) return "a multicast or reserved address";
            if (bytes[0] == 0) return "a 'this network' address";
        }
        else if (ip.IsIPv6LinkLocal || ip.IsIPv6Multicast || ip.IsIPv6SiteLocal || (bytes[0] == 0xfd && bytes[1] == 0x00 && bytes[2] == 0x0e && bytes[3] == 0xc2))
        {
            return "a link-local, site-local or metadata address";
        }
        foreach (var listen in _listen)
        {
            if (listen.Port != port) continue;
            if (IPAddress.TryParse(listen.Host.Trim('[', ']'), out var own) && (own.Equals(ip) || own.Equals(IPAddress.Any) || own.Equals(IPAddress.IPv6Any)))
                return "this server's own listen address";
        }
        return null;
    }

    private bool Allowed(string host, int port)
    {
        var h = host.Trim('[', ']').ToLowerInvariant();
        return _allowed.Contains(h) || _allowed.Contains($"{h}:{port}");
    }

    /// <summary>A connect callback for SocketsHttpHandler that resolves the name and refuses forbidden addresses.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        foreach (var ip in addresses)
        {
            if (Refused(ip, endpoint.Port, endpoint.Host) is { } why)
                throw new HttpRequestException($"refused to connect to {endpoint.Host} ({ip}): it is {why}");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
