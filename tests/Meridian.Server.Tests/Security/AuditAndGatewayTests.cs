using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Meridian.Server.Tests.Steering;

namespace Meridian.Server.Tests.Security;

/// <summary>The change log names the authenticated actor; endpoints cannot aim the gateway at its own network; the gateway
/// keeps callers' credentials; a client's country comes from its address.</summary>
public sealed class AuditAndGatewayTests : IAsyncLifetime
{
    private MeridianHost _host = null!;

    // No allow-list here, unlike the other tests: loopback endpoints are refused.
    public async Task InitializeAsync() => _host = await MeridianHost.StartAsync(o =>
    {
        o.Security.AllowedEndpointHosts.Clear();
        return o;
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static StringContent MergePatch(string json) => new(json, System.Text.Encoding.UTF8, "application/merge-patch+json");

    [Fact]
    public async Task TheChangeLog_NamesTheTokenThatWrote_AndImpersonationIsForAdminsOnly()
    {
        using var op = _host.Client(await _host.TokenAsync("operator", name: "olga"));
        var transition = await op.PostAsync("/api/v1/regions/eu-west-1/transitions", Problem.Json("""{"status":"Draining"}"""));
        Assert.Equal(HttpStatusCode.OK, transition.StatusCode);
        var change = (await _host.GetJsonAsync("/api/v1/changes?kind=regions&id=eu-west-1"))["items"]![0]!;
        Assert.Matches(@"^olga \(token [0-9a-f]{12}\)$", change["actor"]!.GetValue<string>());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/regions/eu-west-1/transitions") { Content = Problem.Json("""{"status":"Live"}""") };
        request.Headers.Add("X-Meridian-Actor", "meridian");
        await Problem.AssertAsync(await op.SendAsync(request), HttpStatusCode.Forbidden, "X-Meridian-Actor");

        // A name with a right-to-left override, sent as UTF-8 by a client that allows it, is refused and writes nothing.
        var before = _host.Fingerprint();
        using var utf8 = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 }) { BaseAddress = _host.BaseAddress };
        utf8.DefaultRequestHeaders.Authorization = new("Bearer", _host.AdminToken);
        using var bidi = new HttpRequestMessage(HttpMethod.Post, "/api/v1/regions/eu-west-1/transitions") { Content = Problem.Json("""{"status":"Live"}""") };
        bidi.Headers.TryAddWithoutValidation("X-Meridian-Actor", "bob\u202Eecila");
        Assert.Equal(HttpStatusCode.BadRequest, (await utf8.SendAsync(bidi)).StatusCode);
        Assert.Equal(before, _host.Fingerprint());

        // Health overrides are recorded too, with who made them.
        Assert.Equal(HttpStatusCode.OK, (await op.PutAsync("/api/v1/health/qwen3-max/eu-central-1", Problem.Json("""{"state":"Down"}"""))).StatusCode);
        var health = (await _host.GetJsonAsync("/api/v1/changes?kind=health"))["items"]![0]!;
        Assert.Equal("qwen3-max/eu-central-1", health["id"]!.GetValue<string>());
        Assert.StartsWith("olga (token ", health["actor"]!.GetValue<string>());
        Assert.Equal("override", health["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task ResourceNames_WithControlOrBidiCharacters_AreRefused() =>
        await Problem.AssertAsync(await _host.Http.PatchAsync("/api/v1/regions/eu-west-1", MergePatch("""{"name":"London\u202Enodnol"}""")),
            HttpStatusCode.UnprocessableEntity, "name");

    [Theory]
    [InlineData("http://127.0.0.1:5080/", "loopback")]
    [InlineData("http://localhost:9000/", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[::1]:80/", "loopback")]
    [InlineData("http://metadata.google.internal/", "metadata")]
    [InlineData("http://user:secret@example.com/", "user name")]
    [InlineData("ftp://example.com/", "http or https")]
    [InlineData("http://0.0.0.0:80/", "unspecified")]
    public async Task EndpointsAimedAtTheServersOwnNetwork_AreRefused(string url, string why)
    {
        var before = _host.Fingerprint();
        var problem = await Problem.AssertAsync(await _host.Http.PatchAsync("/api/v1/services/qwen3-max", MergePatch($$$"""{"endpoints":{"eu-central-1":"{{{url}}}"}}""")),
            HttpStatusCode.UnprocessableEntity, "endpoints.eu-central-1");
        Assert.Contains(why, problem.ToJsonString());
        Assert.Equal(before, _host.Fingerprint());
    }

    [Fact]
    public async Task AnImportCannotSetAMetadataEndpoint_NorCanAnOperatorSetAnyEndpoint()
    {
        var world = JsonNode.Parse(await _host.Http.GetStringAsync("/api/v1/world"))!;
        var service = world["services"]!.AsArray().First(s => s!["id"]!.GetValue<string>() == "qwen3-max")!;
        service["endpoints"] = new JsonObject { ["eu-central-1"] = "http://169.254.169.254/" };
        var before = _host.Fingerprint();
        var problem = await Problem.AssertAsync(await _host.Http.PostAsync("/api/v1/world/import", Problem.Json(world.ToJsonString())), HttpStatusCode.UnprocessableEntity, null);
        Assert.Contains("services[qwen3-max].endpoints.eu-central-1", problem.ToJsonString());
        Assert.Equal(before, _host.Fingerprint());

        using var op = _host.Client(await _host.TokenAsync("operator"));
        Assert.Equal(HttpStatusCode.Forbidden, (await op.PatchAsync("/api/v1/services/qwen3-max", MergePatch("""{"endpoints":{"eu-central-1":"https://example.com/"}}"""))).StatusCode);
    }

    [Fact]
    public async Task AClientInChina_SayingItIsInGermany_StaysInsideTheChinaBoundary()
    {
        // 1.2.4.8 is CNNIC's public DNS address: the IP-to-country database places it in CN.
        using var viaProxy = _host.Client(null);
        viaProxy.DefaultRequestHeaders.Add("X-Forwarded-For", "1.2.4.8");
        using var viewer = _host.Client(await _host.TokenAsync("viewer"));
        viewer.DefaultRequestHeaders.Add("X-Forwarded-For", "1.2.4.8");
        var route = await viewer.GetFromJsonAsync<JsonObject>("/api/v1/route?service=qwen3-max&lat=39.9&lon=116.4&country=DE&policy=strict");
        Assert.Equal("CN", route!["country"]!.GetValue<string>());
        Assert.Equal("address", route["countrySource"]!.GetValue<string>());
        var cn = (await _host.GetJsonAsync("/api/v1/boundaries/CN"))["countries"]!.AsArray().Select(c => c!.GetValue<string>()).ToHashSet();
        var region = await _host.GetJsonAsync($"/api/v1/regions/{route["region"]!.GetValue<string>()}");
        Assert.Contains(region["country"]!.GetValue<string>(), cn);

        // An operator's country is a hint it may give (for what-if questions), and the answer says so.
        using var op = _host.Client(await _host.TokenAsync("operator"));
        op.DefaultRequestHeaders.Add("X-Forwarded-For", "1.2.4.8");
        var hinted = await op.GetFromJsonAsync<JsonObject>("/api/v1/route?service=qwen3-max&lat=50.1&lon=8.7&country=DE&policy=strict");
        Assert.Equal("hint", hinted!["countrySource"]!.GetValue<string>());
        Assert.Equal("DE", hinted["country"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheGateway_DoesNotForwardCredentials_UnlessTheServiceAsks()
    {
        await using var backend = await Backend.StartAsync("frankfurt");
        await using var allowing = await MeridianHost.StartAsync(); // loopback backends allowed
        var set = await allowing.Http.PatchAsync("/api/v1/services/qwen3-max", MergePatch($$$"""{"endpoints":{"eu-central-1":"{{{backend.Url}}}"}}"""));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        async Task<JsonObject> Seen(string authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/gw/qwen3-max/v1/headers?lat=50.1&lon=8.7&policy=strict");
            request.Headers.Add("X-Client-Country", "DE");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            request.Headers.Add("Cookie", "session=abc");
            var response = await allowing.Anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }
        var stripped = await Seen("Bearer backend-secret");
        Assert.Equal("", stripped["authorization"]!.GetValue<string>());
        Assert.Equal("", stripped["cookie"]!.GetValue<string>());
        Assert.Equal("", stripped["country"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await allowing.Http.PatchAsync("/api/v1/services/qwen3-max", MergePatch("""{"forwardCredentials":true}"""))).StatusCode);
        var passed = await Seen("Bearer backend-secret");
        Assert.Equal("Bearer backend-secret", passed["authorization"]!.GetValue<string>());
        Assert.Equal("session=abc", passed["cookie"]!.GetValue<string>());
        // Meridian's own token is never handed on.
        Assert.Equal("", (await Seen($"Bearer {allowing.AdminToken}"))["authorization"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnEndpointAlreadyStoredOnLoopback_IsRefusedWhenTheGatewayConnects()
    {
        var policy = new Meridian.Server.Security.EndpointPolicy(new Meridian.Server.Security.SecurityOptions());
        Assert.NotNull(policy.Refused(IPAddress.Loopback, 80));
        Assert.NotNull(policy.Refused(IPAddress.Parse("169.254.169.254"), 80));
        Assert.NotNull(policy.Refused(IPAddress.Parse("::ffff:127.0.0.1"), 80));
        Assert.Null(policy.Refused(IPAddress.Parse("10.1.2.3"), 80));
        using var handler = new SocketsHttpHandler { ConnectCallback = policy.ConnectAsync };
        using var client = new HttpClient(handler);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://localhost:1/"));
        Assert.Contains("loopback", error.Message);
    }
}
