using System.Net;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Apis;

/// <summary>Reading the demo world through the API; one server for the class, nothing written.</summary>
public sealed class FootprintApiTests(FootprintApiTests.Server server) : IClassFixture<FootprintApiTests.Server>
{
    public sealed class Server : IAsyncLifetime
    {
        public MeridianHost Host { get; private set; } = null!;
        public async Task InitializeAsync() => Host = await MeridianHost.StartAsync();
        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private MeridianHost Host => server.Host;

    private static string[] Ids(JsonObject page) => page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToArray();

    [Fact]
    public async Task RegionsAsOfSeptember2025_Are29_With14InMainlandChina_AndTheirZones()
    {
        var page = await Host.GetJsonAsync("/api/v1/regions?asOf=2025-09-30");
        var items = page["items"]!.AsArray();
        Assert.Equal(29, items.Count);
        Assert.Equal(14, items.Count(r => r!["country"]!.GetValue<string>() == "CN"));
        Assert.Null(page["next"]);
        var liveZones = items.SelectMany(r => r!["zones"]!.AsArray()).Count(z => z!["status"]!.GetValue<string>() is "Live" or "Draining");
        Assert.Equal(92, liveZones);
        Assert.DoesNotContain("ap-southeast-2", Ids(page));
        Assert.DoesNotContain("sa-east-1", Ids(page));
    }

    [Fact]
    public async Task AsOf2018_ShowsLondonAndFrankfurtOpening()
    {
        Assert.DoesNotContain("eu-west-1", Ids(await Host.GetJsonAsync("/api/v1/regions?asOf=2018-09-30")));
        var after = Ids(await Host.GetJsonAsync("/api/v1/regions?asOf=2018-10-31"));
        Assert.Contains("eu-west-1", after);
        Assert.Contains("eu-central-1", after);
    }

    [Fact]
    public async Task London_HasTwoLiveFacilities_With24x7SecurityAndEngineering()
    {
        var page = await Host.GetJsonAsync("/api/v1/facilities?region=eu-west-1");
        var items = page["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.All(items, f =>
        {
            Assert.Equal("Live", f!["status"]!.GetValue<string>());
            Assert.Equal("24/7", f["support"]!["hours"]!.GetValue<string>());
            var roles = f["support"]!["roles"]!.AsArray().Select(r => r!.GetValue<string>()).ToArray();
            Assert.Contains("security", roles);
            Assert.Contains("engineering", roles);
        });
    }

    [Theory]
    [InlineData("ap-southeast-2")]
    [InlineData("ap-south-1")]
    public async Task SydneyAndMumbai_AreClosed(string id)
    {
        var region = await Host.GetJsonAsync($"/api/v1/regions/{id}");
        Assert.Equal("Closed", region["status"]!.GetValue<string>());
        var colo = await Host.GetJsonAsync($"/api/v1/facilities?region={id}&ownership=Colocation&status=Live");
        Assert.Single(colo["items"]!.AsArray());
    }

    [Fact]
    public async Task Pagination_WalksEveryRegionOnce_ByFollowingNext()
    {
        var seen = new List<string>();
        string? url = "/api/v1/regions?limit=10";
        var pages = 0;
        while (url is not null)
        {
            var page = await Host.GetJsonAsync(url);
            seen.AddRange(Ids(page));
            url = page["next"]?.GetValue<string>();
            pages++;
        }
        Assert.Equal(4, pages);
        Assert.Equal(35, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task BoundaryFilter_KeepsLondonOutOfTheEu()
    {
        var eu = Ids(await Host.GetJsonAsync("/api/v1/regions?boundary=EU"));
        Assert.Contains("eu-central-1", eu);
        Assert.Contains("eu-west-2", eu);
        Assert.DoesNotContain("eu-west-1", eu);
        Assert.Equal(["eu-west-1"], Ids(await Host.GetJsonAsync("/api/v1/regions?boundary=UK")));
    }

    [Fact]
    public async Task Filters_ByServiceCountryAndGpuModel()
    {
        var qwen = Ids(await Host.GetJsonAsync("/api/v1/regions?service=qwen3-max"));
        Assert.Equal(["ap-southeast-1", "cn-beijing", "cn-hongkong", "eu-central-1", "us-east-1"], qwen);
        Assert.Equal(["eu-central-1"], Ids(await Host.GetJsonAsync("/api/v1/regions?country=de")));
        var hosts = (await Host.GetJsonAsync("/api/v1/hosts?zone=eu-central-1a&gpuModel=H20"))["items"]!.AsArray();
        Assert.All(hosts, h => Assert.Equal("H20", h!["gpuModel"]!.GetValue<string>()));
    }

    [Fact]
    public async Task EveryKind_ListsAndGets()
    {
        foreach (var (kind, id) in new[] { ("boundaries", "EU"), ("services", "qwen3-max"), ("regions", "eu-central-1"), ("zones", "eu-central-1a"), ("facilities", "lon1"), ("hosts", "eu-central-1a-h001") })
        {
            Assert.NotEmpty((await Host.GetJsonAsync($"/api/v1/{kind}"))["items"]!.AsArray());
            var response = await Host.Http.GetAsync($"/api/v1/{kind}/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotNull(response.Headers.ETag);
        }
    }

    [Fact]
    public async Task IfNoneMatch_WithTheCurrentETag_Is304()
    {
        var first = await Host.Http.GetAsync("/api/v1/regions/eu-west-1");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/regions/eu-west-1");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await Host.Http.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/regions?asOf=2025-13-01", "asOf")]
    [InlineData("/api/v1/regions?asOf=yesterday", "asOf")]
    [InlineData("/api/v1/regions?status=Alive", "status")]
    [InlineData("/api/v1/regions?country=XX", "country")]
    [InlineData("/api/v1/regions?boundary=Atlantis", "boundary")]
    [InlineData("/api/v1/regions?colour=red", "colour")]
    [InlineData("/api/v1/regions?limit=0", "limit")]
    [InlineData("/api/v1/regions?limit=5000", "limit")]
    [InlineData("/api/v1/regions?cursor=%%%", "cursor")]
    [InlineData("/api/v1/zones?region=nowhere-1", "region")]
    [InlineData("/api/v1/changes?kind=planets", "kind")]
    public async Task BadQueries_Are400_NamingTheParameter(string url, string field) =>
        await Problem.AssertAsync(await Host.Http.GetAsync(url), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task UnknownResource_Is404Problem()
    {
        await Problem.AssertAsync(await Host.Http.GetAsync("/api/v1/regions/atlantis-1"), HttpStatusCode.NotFound, null);
        await Problem.AssertAsync(await Host.Http.GetAsync("/api/v1/planets"), HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task Health_OpenApi_ApiPage_FootprintPage_AndConsole_AreServed()
    {
        Assert.Equal("ok", (await Host.GetJsonAsync("/healthz"))["status"]!.GetValue<string>());
        var openapi = await Host.GetJsonAsync("/openapi/v1.json");
        Assert.NotNull(openapi["paths"]!["/api/v1/regions/"] ?? openapi["paths"]!["/api/v1/regions"]);
        Assert.NotNull(openapi["paths"]!["/api/v1/regions/{id}/transitions"]);
        Assert.Contains("swagger-ui", await Host.Http.GetStringAsync("/swagger/index.html"));
        var home = await Host.Http.GetStringAsync("/footprint");
        Assert.Contains("eu-west-1", home);
        Assert.Contains("London data centre 1", home);
        Assert.Contains("24/7 security and engineering", home);
        var console = await Host.Http.GetStringAsync("/");
        Assert.Contains("<svg id=\"map\"", console);
        var script = System.Text.RegularExpressions.Regex.Match(console, "/assets/[^\"]+\\.js").Value;
        var asset = await Host.Http.GetAsync(script);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
    }
}
