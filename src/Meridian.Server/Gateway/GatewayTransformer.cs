using Yarp.ReverseProxy.Forwarder;

namespace Meridian.Server.Gateway;

/// <summary>Sends /gw/{service}/{rest} to {endpoint}/{rest} with the query, and names the region and estimated RTT in the
/// response. One per route target, shared by its requests: what differs per request is read from the request.</summary>
internal sealed class GatewayTransformer(string region, string rttMs, bool forwardCredentials) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, Rest(httpContext.Request.Path), httpContext.Request.QueryString);
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
        // Headers arrived: the response is under way, and no longer subject to the headers timeout. (YARP also calls this
        // without a response when an attempt fails; that is the gateway's to judge.)
        if (proxyResponse is null) return await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        httpContext.Features.Get<HeadersDeadline>()?.Stop();
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        httpContext.Response.Headers[GatewayEndpoint.RegionHeader] = region;
        httpContext.Response.Headers[GatewayEndpoint.RttHeader] = rttMs;
        return result;
    }

    /// <summary>The path after /gw/{service} (the branch's path is /{service}/{rest}).</summary>
    private static PathString Rest(PathString path)
    {
        var value = path.Value ?? "";
        var slash = value.IndexOf('/', 1);
        return slash < 0 ? new PathString("/") : new PathString(value[slash..]);
    }
}
