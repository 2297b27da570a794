using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Meridian.Server.Http;

/// <summary>Bounds the API's work in flight: at most <see cref="ServerOptions.MaxConcurrentRequests"/> requests at once
/// and <see cref="ServerOptions.MaxQueuedRequests"/> waiting; past that a 503 problem with Retry-After, so a flood
/// costs a bounded amount of memory and the server stays responsive. The gateway, probes and console are not counted.</summary>
internal static class ApiLimits
{
    public static void Configure(RateLimiterOptions o, ServerOptions options)
    {
        var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrentRequests,
            QueueLimit = options.MaxQueuedRequests,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            http.Request.Path.StartsWithSegments("/api")
                ? RateLimitPartition.Get("api", _ => limiter)
                : RateLimitPartition.GetNoLimiter("other"));
        o.OnRejected = async (ctx, _) =>
        {
            var http = ctx.HttpContext;
            http.Response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Problems.Result(503, $"the server is serving {options.MaxConcurrentRequests} requests and {options.MaxQueuedRequests} are waiting; retry later", [], http)
                .ExecuteAsync(http);
        };
    }
}
