using System.Net;

namespace Meridian.Server.Tests.Security;

/// <summary>Per-token and per-address rate limits. The period is a day, so no refill happens during the test: the
/// outcome depends on the count of requests, not on how fast the machine sends them.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task ATokenPastItsRate_Gets429WithRetryAfter_AndOtherTokensAreNotSlowed()
    {
        await using var host = await MeridianHost.StartAsync(o =>
        {
            o.Security.TokenRequestsPerMinute = 5;
            o.Security.AddressRequestsPerMinute = 3;
            o.Security.RateLimitPeriod = TimeSpan.FromDays(1);
            return o;
        });
        // StartAsync used the admin token twice (acme's lookup and creation).
        using var viewer = host.Client(await host.TokenAsync("viewer"));
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/regions?limit=1")).StatusCode);
        var limited = await viewer.GetAsync("/api/v1/regions?limit=1");
        await Problem.AssertAsync(limited, HttpStatusCode.TooManyRequests, null);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        using var other = host.Client(await host.TokenAsync("viewer"));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/regions?limit=1")).StatusCode);

        // Guessing tokens from one address is limited too.
        using var guesser = host.Client("mrd_000000000000_" + new string('0', 48));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++) statuses.Add((await guesser.GetAsync("/api/v1/regions")).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    /// <summary>The limiters drop a partition idle for ten seconds; the API must answer after such a pause as before it
    /// (it once answered 500 for ever after, its one concurrency limiter disposed and handed out again).</summary>
    [Fact]
    public async Task AfterTheApiIsIdleForLongerThanTheLimitersKeepAPartition_ItStillAnswers()
    {
        await using var host = await MeridianHost.StartAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await host.Http.GetAsync("/api/v1/regions?limit=1")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(12));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await host.Http.GetAsync("/api/v1/regions?limit=1")).StatusCode);
    }
}
