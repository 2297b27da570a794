using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Apis;

/// <summary>What a hostile client sends: each is a 4xx problem, the server stays up, and nothing is written.</summary>
public sealed class HardeningTests : ServerTest
{
    private const string GpuWorkload = """{"tenant":"acme","name":"qwen","replicas":1,"resources":{"vcpu":4,"memoryGiB":16,"gpus":2},"constraints":{"regions":["eu-west-1"]}}""";

    private async Task<JsonObject> RefusedAsync(HttpRequestMessage request, HttpStatusCode status, string? field)
    {
        var before = Host.Fingerprint();
        var problem = await Problem.AssertAsync(await Host.Http.SendAsync(request), status, field);
        Assert.Equal(before, Host.Fingerprint());
        Assert.Equal(HttpStatusCode.OK, (await Host.Http.GetAsync("/healthz")).StatusCode);
        return problem;
    }

    private static HttpRequestMessage Send(HttpMethod method, string url, string? body = null, string? type = "application/json")
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (type is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        return request;
    }

    [Theory]
    [InlineData("/api/v1/workloads", """{"tenant":"\ud800","name":"a","replicas":1,"resources":{"vcpu":1,"memoryGiB":1}}""", "tenant")]
    [InlineData("/api/v1/regions", """{"id":"a","id":"b"}""", "body")]
    [InlineData("/api/v1/regions", """{"id":"eu-x-1","name":"X","city":"X","country":"DE","location":{"latitude":1,"longitude":1},"status":"Live","services":[null]}""", "services[0]")]
    [InlineData("/api/v1/plans", """{"kind":"expansion","add":1,"countryWeights":{"\udc00":1}}""", "body")]
    public Task StrictJson_Is400_NamingTheField(string url, string body, string field) =>
        RefusedAsync(Send(HttpMethod.Post, url, body), HttpStatusCode.BadRequest, field);

    [Fact]
    public Task NullInsideAListThroughPatch_Is400() =>
        RefusedAsync(Send(HttpMethod.Patch, "/api/v1/regions/eu-west-1", """{"services":[null]}""", "application/merge-patch+json"), HttpStatusCode.BadRequest, "services[0]");

    [Fact]
    public Task DuplicateKeysInAHealthOverride_Is400() =>
        RefusedAsync(Send(HttpMethod.Put, "/api/v1/health/qwen3-max/eu-central-1", """{"state":"Down","state":"Up"}"""), HttpStatusCode.BadRequest, "body");

    [Fact]
    public async Task ABodyCutShort_IsMalformed_NotTooDeep()
    {
        var problem = await RefusedAsync(Send(HttpMethod.Put, "/api/v1/health/qwen3-max/eu-central-1", """{"state":"""), HttpStatusCode.BadRequest, "body");
        Assert.Contains("malformed JSON", problem.ToJsonString());
        Assert.DoesNotContain("nested", problem.ToJsonString());
        var deep = await RefusedAsync(Send(HttpMethod.Put, "/api/v1/health/qwen3-max/eu-central-1", "{\"state\":" + new string('[', 40) + new string(']', 40) + "}"), HttpStatusCode.BadRequest, null);
        Assert.Contains("nested deeper than", deep.ToJsonString());
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(100)]
    public async Task DeeplyNestedYaml_Is422_AndTheServerLives(int depth)
    {
        var yaml = new string('[', depth) + new string(']', depth);
        var problem = await RefusedAsync(Send(HttpMethod.Post, "/api/v1/world/import?dryRun=true", yaml, "application/yaml"), HttpStatusCode.UnprocessableEntity, null);
        Assert.Contains("nested deeper than", problem.ToJsonString());
    }

    [Fact]
    public async Task DeeplyNestedJson_IsRefused()
    {
        var json = new string('[', 20_000) + new string(']', 20_000);
        await RefusedAsync(Send(HttpMethod.Post, "/api/v1/world/import?dryRun=true", json), HttpStatusCode.UnprocessableEntity, "body");
        await RefusedAsync(Send(HttpMethod.Post, "/api/v1/regions", "{\"a\":" + json + "}"), HttpStatusCode.BadRequest, null);
    }

    [Fact]
    public async Task YamlAliasBomb_IsRefusedAtTheFirstAnchor()
    {
        // Each level lists the previous alias ten times: 10^6 nodes from a few hundred bytes if expanded.
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 6; i++) yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        var problem = await RefusedAsync(Send(HttpMethod.Post, "/api/v1/world/import?dryRun=true", yaml.ToString(), "application/yaml"), HttpStatusCode.UnprocessableEntity, "line 1, column 5");
        Assert.Contains("anchors and aliases are not allowed", problem.ToJsonString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=latin1")]
    public async Task AWriteBodyOfAnotherMediaType_Is415(string? type)
    {
        var problem = await RefusedAsync(Send(HttpMethod.Post, "/api/v1/regions", """{"id":"x"}""", type), HttpStatusCode.UnsupportedMediaType, "Content-Type");
        Assert.NotNull(problem["detail"]);
    }

    [Fact]
    public Task ABodyOnAnOperationThatTakesNone_Is415() =>
        RefusedAsync(Send(HttpMethod.Post, "/api/v1/facilities/lon1/drain?apply=true", "apply=true", "application/x-www-form-urlencoded"), HttpStatusCode.UnsupportedMediaType, "Content-Type");

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    public async Task AWriteFromAnotherSite_Is403(string header, string value)
    {
        var request = Send(HttpMethod.Post, "/api/v1/facilities/lon1/drain?apply=true");
        request.Headers.TryAddWithoutValidation(header, value);
        await RefusedAsync(request, HttpStatusCode.Forbidden, "Origin");
    }

    [Fact]
    public async Task AWriteFromTheConsolesOwnOrigin_IsServed()
    {
        var request = Send(HttpMethod.Post, "/api/v1/facilities/lon1/drain");
        request.Headers.TryAddWithoutValidation("Origin", Host.Http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.OK, (await Host.Http.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("DELETE", "/api/v1/regions/eu-north-9?force=true", "force")]
    [InlineData("POST", "/api/v1/facilities/lon1/drain?aply=true", "aply")]
    [InlineData("GET", "/api/v1/regions/eu-west-1?colour=red", "colour")]
    [InlineData("GET", "/api/v1/health?verbose=1", "verbose")]
    public Task AnUnknownQueryParameter_Is400_Everywhere(string method, string url, string field) =>
        RefusedAsync(Send(new HttpMethod(method), url), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task MethodNotAllowed_HasATitle()
    {
        var problem = await RefusedAsync(Send(HttpMethod.Put, "/api/v1/regions"), HttpStatusCode.MethodNotAllowed, null);
        Assert.Equal("Method not allowed", problem["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task ALongPath_Is414_AndLargeHeaders_Are431_AsProblems()
    {
        await RefusedAsync(Send(HttpMethod.Get, "/api/v1/regions/" + new string('a', 10_000)), HttpStatusCode.RequestUriTooLong, "path");
        var request = Send(HttpMethod.Get, "/api/v1/regions");
        for (var i = 0; i < 5; i++) request.Headers.TryAddWithoutValidation($"X-Big-{i}", new string('b', 8_000));
        await RefusedAsync(request, HttpStatusCode.RequestHeaderFieldsTooLarge, "headers");
    }

    [Fact]
    public async Task GatewayProblems_KeepTheGatewayPrefixInTheirInstance()
    {
        var problem = await RefusedAsync(Send(HttpMethod.Get, "/gw/no-such-service/v1/chat"), HttpStatusCode.NotFound, "service");
        Assert.Equal("/gw/no-such-service/v1/chat", problem["instance"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/v1/regions")]
    [InlineData("/swagger/index.html")]
    public async Task EveryAnswerCarriesSecurityHeaders_AndNoServerHeader(string url)
    {
        var response = await Host.Http.GetAsync(url);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task ThePlanQueueIsBounded_503WithRetryAfter()
    {
        await using var host = await MeridianHost.StartAsync(o => o with { MaxQueuedPlans = 2 });
        // Long plans that stay queued or running while the third is refused; cancelled at the end.
        const string plan = """{"kind":"expansion","add":8,"objective":"latency","timeLimitSeconds":600}""";
        var accepted = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var response = await host.Http.PostAsync("/api/v1/plans", Problem.Json(plan));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            accepted.Add(response.Headers.Location!.ToString());
        }
        var refused = await host.Http.PostAsync("/api/v1/plans", Problem.Json(plan));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await Problem.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, "plan");
        Assert.Equal(2, (await host.GetJsonAsync("/api/v1/plans"))["items"]!.AsArray().Count);
        foreach (var url in accepted) await host.Http.DeleteAsync(url);
    }

    [Fact]
    public async Task ADrainWithoutApply_ChangesNothing()
    {
        var placed = await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(GpuWorkload));
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var before = Host.Fingerprint();
        var plan = await (await Host.Http.PostAsync("/api/v1/facilities/lon1/drain", null)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Live", plan!["status"]!.GetValue<string>());
        Assert.False(plan["applied"]!.GetValue<bool>());
        Assert.Equal(before, Host.Fingerprint());
        Assert.Equal("Live", (await Host.GetJsonAsync("/api/v1/facilities/lon1"))["status"]!.GetValue<string>());
    }
}
