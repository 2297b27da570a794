using System.Globalization;
using Yarp.ReverseProxy.Forwarder;

namespace Meridian.Server.Gateway;

/// <summary>Sends /gw/{service}/{rest} to {endpoint}/{rest} with the query, and names the region and estimated RTT in the response.</summary>
internal sealed class GatewayTransformer(string rest, string region, double rttMs, bool forwardCredentials) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString("/" + rest), httpContext.Request.QueryString);
        proxyRequest.Headers.Host = null;
        // The caller's credentials (and a Meridian token sent by mistake) stay here unless the service asks for them.
        if (!forwardCredentials || httpContext.Request.Headers.Authorization.ToString().Contains(Storage.Security.TokenStore.Prefix, StringComparison.Ordinal))
            proxyRequest.Headers.Authorization = null;
        if (!forwardCredentials)
        {
            proxyRequest.Headers.Remove("Cookie");
            proxyRequest.Headers.Remove("Proxy-Authorization");
        }
        // Where the client is was decided here; the backend must not read a client's own claim of it.
        proxyRequest.Headers.Remove("X-Client-Country");
        proxyRequest.Headers.Remove("X-Client-Lat");
        proxyRequest.Headers.Remove("X-Client-Lon");
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        httpContext.Response.Headers[GatewayEndpoint.RegionHeader] = region;
        httpContext.Response.Headers[GatewayEndpoint.RttHeader] = rttMs.ToString("0.##", CultureInfo.InvariantCulture);
        return result;
    }
}
