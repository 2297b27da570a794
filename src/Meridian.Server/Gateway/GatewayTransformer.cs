using System.Globalization;
using Yarp.ReverseProxy.Forwarder;

namespace Meridian.Server.Gateway;

/// <summary>Sends /gw/{service}/{rest} to {endpoint}/{rest} with the query, and names the region and estimated RTT in the response.</summary>
internal sealed class GatewayTransformer(string rest, string region, double rttMs) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString("/" + rest), httpContext.Request.QueryString);
        proxyRequest.Headers.Host = null;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        httpContext.Response.Headers[GatewayEndpoint.RegionHeader] = region;
        httpContext.Response.Headers[GatewayEndpoint.RttHeader] = rttMs.ToString("0.##", CultureInfo.InvariantCulture);
        return result;
    }
}
