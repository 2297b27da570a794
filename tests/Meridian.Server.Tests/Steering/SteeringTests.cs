using System.Net;
using System.Text.Json.Nodes;
using Meridian.Steering.Health;

namespace Meridian.Server.Tests.Steering;

public sealed class SteeringTests : IAsyncLifetime
{
    private const string Paris = "lat=48.8566&lon=2.3522&country=FR";
    private MeridianHost _host = null!;

    private HttpClient _gateway = null!;

    public async Task InitializeAsync()
    {
        _host = await MeridianHost.StartAsync(o => o with
        {
            Health = new HealthOptions { Interval = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromMilliseconds(500), UnhealthyThreshold = 2, HealthyThreshold = 1 },
        });
        // Gateway clients come through a trusted proxy (loopback here), which says where they are.
        _gateway = _host.Client(null);
        _gateway.DefaultRequestHeaders.Add("X-Client-Country", "FR");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task SetEndpointsAsync(params (string Region, string Url)[] endpoints)
    {
        var map = new JsonObject();
        foreach (var (region, url) in endpoints) map[region] = url;
        var response = await _host.Http.PatchAsync("/api/v1/services/qwen3-max", Problem.Json(new JsonObject { ["endpoints"] = map }.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The gateway and the health checker read the world snapshot; it is published with the write.
    }

    [Fact]
    public async Task ParisUnderStrictPolicy_GoesToFrankfurt_NotLondon_AndGets503WhenTheEuIsDown()
    {
        var route = await _host.GetJsonAsync($"/api/v1/route?service=qwen3-max&{Paris}&policy=strict");
        Assert.Equal("eu-central-1", route["region"]!.GetValue<string>());
        Assert.Empty(route["alternatives"]!.AsArray());
        Assert.Contains(route["exclusions"]!.AsArray(), e => e!["region"]!.GetValue<string>() == "us-east-1" && e["reason"]!.GetValue<string>().Contains("outside"));

        var down = await _host.Http.PutAsync("/api/v1/health/qwen3-max/eu-central-1", Problem.Json("""{"state":"Down"}"""));
        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        var refused = await Problem.AssertAsync(await _host.Http.GetAsync($"/api/v1/route?service=qwen3-max&{Paris}&policy=strict"), HttpStatusCode.ServiceUnavailable, "service");
        Assert.Contains("strict", refused["detail"]!.GetValue<string>());

        // Preferred may leave the EU once nothing inside can serve; global never minded.
        var preferred = await _host.GetJsonAsync($"/api/v1/route?service=qwen3-max&{Paris}&policy=preferred");
        Assert.Equal("us-east-1", preferred["region"]!.GetValue<string>());
    }

    [Fact]
    public async Task Qwen3MaxIsStrictByDefault_AndComputeIsPreferred()
    {
        Assert.Equal("strict", (await _host.GetJsonAsync($"/api/v1/route?service=qwen3-max&{Paris}"))["policy"]!.GetValue<string>());
        var compute = await _host.GetJsonAsync($"/api/v1/route?service=compute&{Paris}");
        Assert.Equal("preferred", compute["policy"]!.GetValue<string>());
        Assert.Equal("eu-west-2", compute["region"]!.GetValue<string>()); // Paris has its own region since 2026
    }

    [Theory]
    [InlineData("service=qwen3-max&lat=91&lon=2&country=FR", "lat")]
    [InlineData("service=qwen3-max&lat=48&lon=-181&country=FR", "lon")]
    [InlineData("service=qwen3-max&lat=48&lon=2&country=XX", "country")]
    [InlineData("service=qwen3-max&lon=2&country=FR", "lat")]
    [InlineData("service=teleport&lat=48&lon=2&country=FR", "service")]
    [InlineData("lat=48&lon=2&country=FR", "service")]
    [InlineData("service=qwen3-max&lat=48&lon=2&country=FR&policy=lax", "policy")]
    public async Task BadRouteQueries_Are400_NamingTheField(string query, string field) =>
        await Problem.AssertAsync(await _host.Http.GetAsync($"/api/v1/route?{query}"), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Gateway_ProxiesToTheChosenRegion_NamesIt_AndFailsOverWhenItsBackendStops()
    {
        await using var frankfurt = await Backend.StartAsync("frankfurt");
        await using var virginia = await Backend.StartAsync("virginia");
        await SetEndpointsAsync(("eu-central-1", frankfurt.Url), ("us-east-1", virginia.Url));

        var first = await _gateway.GetAsync($"/gw/qwen3-max/v1/echo?{Paris}&policy=preferred");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.StartsWith("frankfurt", await first.Content.ReadAsStringAsync());
        Assert.Equal("eu-central-1", first.Headers.GetValues("X-Meridian-Region").Single());
        Assert.True(double.Parse(first.Headers.GetValues("X-Meridian-Rtt-Ms").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);

        await frankfurt.StopAsync();
        var after = await _gateway.GetAsync($"/gw/qwen3-max/v1/echo?{Paris}&policy=preferred");
        Assert.True(after.StatusCode == HttpStatusCode.OK, $"{after.StatusCode}: {await after.Content.ReadAsStringAsync()}");
        Assert.StartsWith("virginia", await after.Content.ReadAsStringAsync());
        Assert.Equal("us-east-1", after.Headers.GetValues("X-Meridian-Region").Single());

        // Under the strict policy the gateway never leaves the EU: with Frankfurt gone it answers 502/503, not Virginia.
        var strict = await _gateway.GetAsync($"/gw/qwen3-max/v1/echo?{Paris}&policy=strict");
        Assert.True(strict.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, $"{strict.StatusCode}");
        Assert.DoesNotContain("virginia", await strict.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ActiveChecks_TakeAFailingRegionOut_AndBringItBack()
    {
        await using var frankfurt = await Backend.StartAsync("frankfurt");
        await SetEndpointsAsync(("eu-central-1", frankfurt.Url));
        frankfurt.HealthStatus = 500;
        await Eventually(async () => (await _host.Http.GetAsync($"/api/v1/route?service=qwen3-max&{Paris}")).StatusCode == HttpStatusCode.ServiceUnavailable);
        var health = await _host.GetJsonAsync("/api/v1/health");
        Assert.Contains(health["items"]!.AsArray(), h => h!["region"]!.GetValue<string>() == "eu-central-1" && h["unhealthy"]!.GetValue<string>().Contains("health check failing"));

        frankfurt.HealthStatus = 200;
        await Eventually(async () => (await _host.Http.GetAsync($"/api/v1/route?service=qwen3-max&{Paris}")).StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task ServerSentEvents_PassThroughTheGatewayUnbuffered()
    {
        await using var frankfurt = await Backend.StartAsync("frankfurt");
        await SetEndpointsAsync(("eu-central-1", frankfurt.Url));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/gw/qwen3-max/v1/stream");
        request.Headers.Add("X-Client-Lat", "48.8566");
        request.Headers.Add("X-Client-Lon", "2.3522");
        request.Headers.Add("X-Client-Country", "FR");
        using var response = await _host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The backend holds the stream open until we release it: the first event must arrive before that.
        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("data: first from frankfurt", line);
        frankfurt.FinishStream.SetResult();
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("data: last", rest);
    }

    [Fact]
    public async Task ClientsThatHangUp_DoNotCountAgainstTheRegion()
    {
        await using var frankfurt = await Backend.StartAsync("frankfurt");
        await SetEndpointsAsync(("eu-central-1", frankfurt.Url));
        for (var i = 0; i < 4; i++)
        {
            using var client = _host.Client(null);
            client.DefaultRequestHeaders.Add("X-Client-Country", "FR");
            using var response = await client.GetAsync($"/gw/qwen3-max/v1/stream?{Paris}", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Equal("data: first from frankfurt", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        } // each client goes away mid-stream
        await Task.Delay(200);
        Assert.Equal("eu-central-1", (await _host.GetJsonAsync($"/api/v1/route?service=qwen3-max&{Paris}"))["region"]!.GetValue<string>());
        frankfurt.FinishStream.SetResult();
    }

    [Fact]
    public async Task Gateway_UnknownService_Is404_AndUnknownLocation_IsRefused()
    {
        await Problem.AssertAsync(await _gateway.GetAsync($"/gw/teleport/x?{Paris}"), HttpStatusCode.NotFound, "service");
        // Without a trusted X-Client-Country, a loopback client's country cannot be told; the query's country is not believed.
        await Problem.AssertAsync(await _host.Anonymous.GetAsync($"/gw/qwen3-max/v1/echo?{Paris}"), HttpStatusCode.UnprocessableEntity, "country");
        await Problem.AssertAsync(await _gateway.GetAsync("/gw/qwen3-max/v1/echo?lat=48"), HttpStatusCode.BadRequest, "lon");
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail("condition not met within 10 s");
    }
}
