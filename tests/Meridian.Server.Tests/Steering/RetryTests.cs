using System.Net;
using System.Text.Json.Nodes;
using Meridian.Server.Gateway;
using Meridian.Steering.Health;

namespace Meridian.Server.Tests.Steering;

/// <summary>Retries users never see: a region that fails before the response has started (refused, reset, no headers in
/// time) is replaced once by the next region the policy allows, when the request can be sent again; a stream is never
/// replayed after its first byte. The backends are real loopback servers that fail for real.</summary>
public sealed class RetryTests : IAsyncLifetime
{
    // Preferred: Frankfurt first for a client in Paris, then (nothing else inside the EU offers qwen3-max) Virginia.
    private const string Paris = "lat=48.8566&lon=2.3522&policy=preferred";
    private MeridianHost _host = null!;
    private HttpClient _gateway = null!;
    private Backend _virginia = null!;

    public async Task InitializeAsync()
    {
        _host = await MeridianHost.StartAsync(o => o with
        {
            // No region is taken out by the failures these tests cause, so each request tries Frankfurt first.
            Health = new HealthOptions { PassiveFailures = 1000, Interval = TimeSpan.FromHours(1) },
            // Long enough that a healthy backend on a busy machine answers in time.
            Gateway = new GatewayOptions { ResponseHeadersTimeout = TimeSpan.FromSeconds(5) },
        });
        _gateway = _host.Client(null);
        _gateway.DefaultRequestHeaders.Add("X-Client-Country", "FR");
        _virginia = await Backend.StartAsync("virginia");
        var order = await _host.GetJsonAsync($"/api/v1/route?service=qwen3-max&{Paris}&country=FR");
        Assert.Equal("eu-central-1", order["region"]!.GetValue<string>());
    }

    public async Task DisposeAsync()
    {
        await _virginia.DisposeAsync();
        await _host.DisposeAsync();
    }

    private async Task EndpointsAsync(string frankfurt, string? virginia = null)
    {
        var endpoints = new JsonObject { ["eu-central-1"] = frankfurt, ["us-east-1"] = virginia ?? _virginia.Url };
        var response = await _host.Http.PatchAsync("/api/v1/services/qwen3-max", Problem.Json(new JsonObject { ["endpoints"] = endpoints }.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> ServedBy(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {string.Join("", response.Headers.TryGetValues("X-Meridian-Region", out var r) ? r : [])} {await response.Content.ReadAsStringAsync()}";

    [Fact]
    public async Task ARefusedConnection_IsRetriedOnTheNextRegion_EvenForAPostWithABody()
    {
        await EndpointsAsync(FaultyBackend.Refusing());
        var get = await _gateway.GetAsync($"/gw/qwen3-max/v1/echo?{Paris}");
        Assert.Equal($"200 us-east-1 virginia ?{Paris}", await ServedBy(get));
        // Nothing reached Frankfurt, so even a request that is not idempotent may go elsewhere, body and all.
        var post = await _gateway.PostAsync($"/gw/qwen3-max/v1/echo?{Paris}", new StringContent("{\"prompt\":\"hello\"}"));
        Assert.Equal("200 us-east-1 virginia got {\"prompt\":\"hello\"}", await ServedBy(post));
        Assert.Equal(2, _virginia.Requests);
    }

    [Fact]
    public async Task AReset_IsRetriedForAGet_ButNotForAPostThatReachedTheRegion()
    {
        await using var frankfurt = FaultyBackend.Start(FaultyBackend.Fault.Reset);
        await EndpointsAsync(frankfurt.Url);
        var get = await _gateway.GetAsync($"/gw/qwen3-max/v1/echo?{Paris}");
        Assert.Equal($"200 us-east-1 virginia ?{Paris}", await ServedBy(get));
        Assert.Equal(1, frankfurt.Requests);

        // Frankfurt read the POST before resetting: it may have acted on it, so it is not sent again.
        var post = await _gateway.PostAsync($"/gw/qwen3-max/v1/echo?{Paris}", new StringContent("{\"prompt\":\"once\"}"));
        var problem = await Problem.AssertAsync(post, HttpStatusCode.BadGateway, null);
        Assert.Contains("eu-central-1", problem["detail"]!.GetValue<string>());
        Assert.Equal(2, frankfurt.Requests);
        Assert.Equal(1, _virginia.Requests);
    }

    [Fact]
    public async Task NoHeadersInTime_IsRetriedForAGet_ButNotForAPost()
    {
        await using var frankfurt = FaultyBackend.Start(FaultyBackend.Fault.Stall);
        await EndpointsAsync(frankfurt.Url);
        var get = await _gateway.GetAsync($"/gw/qwen3-max/v1/echo?{Paris}");
        Assert.Equal($"200 us-east-1 virginia ?{Paris}", await ServedBy(get));

        var post = await _gateway.PostAsync($"/gw/qwen3-max/v1/echo?{Paris}", new StringContent("x"));
        var problem = await Problem.AssertAsync(post, HttpStatusCode.BadGateway, null);
        Assert.Contains("no response headers within 5 s", problem["detail"]!.GetValue<string>());
        Assert.Equal(2, frankfurt.Requests);
        Assert.Equal(1, _virginia.Requests);
    }

    [Fact]
    public async Task ARequestIsRetriedOnce_NotOnEveryRegion()
    {
        await using var frankfurt = FaultyBackend.Start(FaultyBackend.Fault.Reset);
        await using var virginia = FaultyBackend.Start(FaultyBackend.Fault.Reset);
        await EndpointsAsync(frankfurt.Url, virginia.Url);
        var get = await _gateway.GetAsync($"/gw/qwen3-max/v1/echo?{Paris}");
        var problem = await Problem.AssertAsync(get, HttpStatusCode.BadGateway, null);
        Assert.Contains("eu-central-1", problem["detail"]!.GetValue<string>());
        Assert.Contains("us-east-1", problem["detail"]!.GetValue<string>());
        Assert.Equal((1, 1), (frankfurt.Requests, virginia.Requests));
        Assert.Equal(0, _virginia.Requests);
    }

    [Fact]
    public async Task AStreamThatBreaksAfterItsFirstEvent_IsNotReplayed()
    {
        await using var frankfurt = FaultyBackend.Start(FaultyBackend.Fault.ResetAfterFirstEvent);
        await EndpointsAsync(frankfurt.Url);
        using var response = await _gateway.GetAsync($"/gw/qwen3-max/v1/stream?{Paris}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eu-central-1", response.Headers.GetValues("X-Meridian-Region").Single());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("data: first", await reader.ReadLineAsync());
        frankfurt.ResetNow.SetResult();
        // The client sees the stream break (an error or an early end), never a second region's stream spliced in.
        string rest;
        try { rest = await reader.ReadToEndAsync(); }
        catch (IOException) { rest = ""; }
        catch (HttpRequestException) { rest = ""; }
        Assert.DoesNotContain("virginia", rest);
        Assert.Equal(0, _virginia.Requests);
        Assert.Equal(1, frankfurt.Requests);
    }
}
