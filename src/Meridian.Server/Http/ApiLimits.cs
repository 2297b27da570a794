using System.Globalization;
using System.Threading.RateLimiting;
using Meridian.Server.Security;
using Microsoft.AspNetCore.RateLimiting;

namespace Meridian.Server.Http;

/// <summary>Bounds the API's work. Every /api request passes two limiters, chained:
/// <list type="bullet">
/// <item>a rate per caller: a token bucket per token (<see cref="SecurityOptions.TokenRequestsPerMinute"/>) and per
/// address for requests without a valid token (<see cref="SecurityOptions.AddressRequestsPerMinute"/>); past it, 429
/// with Retry-After;</item>
/// <item>work in flight: at most <see cref="ServerOptions.MaxConcurrentRequests"/> at once and
/// <see cref="ServerOptions.MaxQueuedRequests"/> waiting; past that, 503 with Retry-After.</item>
/// </list>
/// So a flood costs a bounded amount of memory and one caller cannot starve the others. The gateway, probes and console
/// are not counted.</summary>
internal static class ApiLimits
{
    public static void Configure(RateLimiterOptions o, ServerOptions options)
    {
        var security = options.Security;
        var inFlight = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            // A watch is a long-lived stream with its own bound (ChangesOptions.MaxWatchers); it must not hold a slot.
            http.Request.Path.StartsWithSegments("/api") && !IsWatch(http.Request)
                // Made by the factory, never shared: the partitioned limiter disposes a partition idle for ten seconds
                // and calls the factory again, so a shared instance would be handed out disposed.
                ? RateLimitPartition.GetConcurrencyLimiter("api", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.MaxConcurrentRequests,
                    QueueLimit = options.MaxQueuedRequests,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter("other"));
        var perCaller = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            if (!http.Request.Path.StartsWithSegments("/api")) return RateLimitPartition.GetNoLimiter("other");
            var caller = Caller.Find(http);
            var (key, perMinute) = caller is not null
                ? ($"token:{caller.TokenId ?? caller.Actor}", security.TokenRequestsPerMinute)
                : ($"address:{http.Connection.RemoteIpAddress}", security.AddressRequestsPerMinute);
            return RateLimitPartition.GetTokenBucketLimiter(key, _ => Bucket(perMinute, security.RateLimitPeriod));
        });
        o.GlobalLimiter = PartitionedRateLimiter.CreateChained(perCaller, inFlight);
        o.OnRejected = async (ctx, _) =>
        {
            var http = ctx.HttpContext;
            if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var who = Caller.Find(http)?.Actor ?? $"address {http.Connection.RemoteIpAddress}";
                await Problems.Result(429, $"{who} has made too many requests; retry in {seconds} s", [], http).ExecuteAsync(http);
                return;
            }
            http.Response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Problems.Result(503, $"the server is serving {options.MaxConcurrentRequests} requests and {options.MaxQueuedRequests} are waiting; retry later", [], http)
                .ExecuteAsync(http);
        };
    }

    private static bool IsWatch(HttpRequest request) =>
        request.Path.Equals("/api/v1/changes", StringComparison.Ordinal) && request.Query["watch"] == "true";

    /// <summary>A bucket of a period's requests, refilled a sixtieth every sixtieth of the period, so a burst of up to a
    /// period's worth is served and then the rate holds.</summary>
    private static TokenBucketRateLimiterOptions Bucket(int permits, TimeSpan period) => new()
    {
        TokenLimit = Math.Max(1, permits),
        TokensPerPeriod = Math.Max(1, permits / 60),
        ReplenishmentPeriod = permits >= 60 ? period / 60 : period / Math.Max(1, permits),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
