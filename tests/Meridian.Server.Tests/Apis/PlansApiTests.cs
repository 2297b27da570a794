using System.Net;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Apis;

public sealed class PlansApiTests : ServerTest
{
    private Task<HttpResponseMessage> PostAsync(string json) => Host.Http.PostAsync("/api/v1/plans", Problem.Json(json));

    private async Task<JsonNode> WaitAsync(string location)
    {
        for (var i = 0; i < 600; i++)
        {
            var plan = await Host.GetJsonAsync(location);
            if (plan["status"]!.GetValue<string>() is "succeeded" or "failed" or "cancelled") return plan;
            Assert.InRange(plan["progress"]!.GetValue<double>(), 0, 1);
            await Task.Delay(100);
        }
        throw new TimeoutException("the plan did not finish in 60 s");
    }

    [Fact]
    public async Task An_expansion_plan_runs_in_the_background_and_its_result_is_a_resource()
    {
        var response = await PostAsync("""{"kind":"expansion","add":3,"sloMs":50,"date":"2025-09-30"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith("/api/v1/plans/plan-", location);
        var started = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(started["status"]!.GetValue<string>(), new[] { "queued", "running", "succeeded" });

        var plan = await WaitAsync(location);

        Assert.Equal("succeeded", plan["status"]!.GetValue<string>());
        Assert.Equal(1.0, plan["progress"]!.GetValue<double>());
        var result = plan["result"]!;
        Assert.Equal(3, result["sites"]!.AsArray().Count);
        Assert.Equal("max-coverage", result["model"]!.GetValue<string>());
        Assert.True(result["after"]!["shareWithinTarget"]!.GetValue<double>() > result["before"]!["shareWithinTarget"]!.GetValue<double>());
        Assert.Equal(3, plan["request"]!["add"]!.GetValue<int>());

        var list = await Host.GetJsonAsync("/api/v1/plans?status=succeeded");
        Assert.Contains(list["items"]!.AsArray(), p => p!["id"]!.GetValue<string>() == plan["id"]!.GetValue<string>());
        Assert.Null(list["items"]![0]!["result"]);
    }

    [Fact]
    public async Task A_closure_plan_reports_the_demand_that_gets_worse()
    {
        var response = await PostAsync("""{"kind":"closure","region":"eu-central-1","residency":"Global","date":"2025-09-30"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var plan = await WaitAsync(response.Headers.Location!.ToString());

        var result = plan["result"]!;
        Assert.Equal("eu-central-1", result["region"]!.GetValue<string>());
        Assert.True(result["worsePopulation"]!.GetValue<long>() > 10_000_000);
        Assert.True(result["meanIncreaseMs"]!.GetValue<double>() > 0);
        Assert.Contains(result["countries"]!.AsArray(), c => c!["country"]!.GetValue<string>() == "DE");
    }

    [Fact]
    public async Task Plans_page_with_limit_and_cursor_and_can_be_deleted()
    {
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("""{"kind":"closure","region":"eu-central-1","date":"2025-09-30"}""")).StatusCode);
        var first = await Host.GetJsonAsync("/api/v1/plans?limit=2");
        Assert.Equal(2, first["items"]!.AsArray().Count);
        var next = first["next"]!.GetValue<string>();
        var second = await Host.GetJsonAsync(next);
        Assert.Single(second["items"]!.AsArray());
        Assert.Null(second["next"]);

        var id = first["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await Host.Http.DeleteAsync($"/api/v1/plans/{id}")).StatusCode);
        await Problem.AssertAsync(await Host.Http.GetAsync($"/api/v1/plans/{id}"), HttpStatusCode.NotFound, null);
        await Problem.AssertAsync(await Host.Http.DeleteAsync($"/api/v1/plans/{id}"), HttpStatusCode.NotFound, null);
    }

    [Theory]
    [InlineData("""{"kind":"expansion","add":999}""", HttpStatusCode.UnprocessableEntity, "add")]
    [InlineData("""{"kind":"expansion","add":0}""", HttpStatusCode.UnprocessableEntity, "add")]
    [InlineData("""{"kind":"expansion"}""", HttpStatusCode.BadRequest, "add")]
    [InlineData("""{"kind":"expansion","add":"two"}""", HttpStatusCode.BadRequest, "add")]
    [InlineData("""{"kind":"expansion","add":2,"boundary":"XX"}""", HttpStatusCode.UnprocessableEntity, "boundary")]
    [InlineData("""{"kind":"expansion","add":2,"sloMs":-1}""", HttpStatusCode.UnprocessableEntity, "sloMs")]
    [InlineData("""{"kind":"expansion","add":2,"countryWeights":{"ZZ":2}}""", HttpStatusCode.UnprocessableEntity, "countryWeights.ZZ")]
    [InlineData("""{"kind":"expansion","add":2,"ownership":"rented"}""", HttpStatusCode.BadRequest, "ownership")]
    [InlineData("""{"kind":"expansion","add":2,"teleport":true}""", HttpStatusCode.BadRequest, "teleport")]
    [InlineData("""{"kind":"expansion","add":2,"costs":{"owned":{"fixedCost":-5,"capacityPeople":1e8,"unitCostPerMillion":1},"colocation":{"fixedCost":5,"capacityPeople":1e7,"unitCostPerMillion":1}}}""", HttpStatusCode.UnprocessableEntity, "costs.owned.fixedCost")]
    [InlineData("""{"kind":"expansion","add":2,"costs":{"owned":{"fixedCost":5,"capacityPeople":0,"unitCostPerMillion":1},"colocation":{"fixedCost":5,"capacityPeople":1e7,"unitCostPerMillion":1}}}""", HttpStatusCode.UnprocessableEntity, "costs.owned.capacityPeople")]
    [InlineData("""{"kind":"expansion","add":2,"timeLimitSeconds":1e300}""", HttpStatusCode.UnprocessableEntity, "timeLimitSeconds")]
    [InlineData("""{"kind":"closure","region":"nowhere-1"}""", HttpStatusCode.UnprocessableEntity, "region")]
    [InlineData("""{"kind":"closure"}""", HttpStatusCode.BadRequest, "region")]
    [InlineData("""{"kind":"closure","region":"eu-central-1","add":2}""", HttpStatusCode.BadRequest, "add")]
    [InlineData("""{"kind":"relocate"}""", HttpStatusCode.BadRequest, "kind")]
    [InlineData("""{"add":2}""", HttpStatusCode.BadRequest, "kind")]
    public async Task Bad_plans_are_refused_before_any_work_starts(string json, HttpStatusCode status, string field)
    {
        await Problem.AssertAsync(await PostAsync(json), status, field);

        var list = await Host.GetJsonAsync("/api/v1/plans");
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task A_finished_plan_outlives_its_server()
    {
        var response = await PostAsync("""{"kind":"closure","region":"eu-central-1","date":"2025-09-30"}""");
        var location = response.Headers.Location!.ToString();
        var done = await WaitAsync(location);
        Assert.Equal("succeeded", done["status"]!.GetValue<string>());

        await using var again = await MeridianHost.StartAsync(o => o with { DatabasePath = Host.DatabasePath });
        var plan = await again.GetJsonAsync(location);
        Assert.Equal("succeeded", plan["status"]!.GetValue<string>());
        Assert.Equal(done["result"]!["worsePopulation"]!.GetValue<long>(), plan["result"]!["worsePopulation"]!.GetValue<long>());
        // New plans continue the numbering instead of reusing an id.
        var next = await again.Http.PostAsync("/api/v1/plans", Problem.Json("""{"kind":"closure","region":"eu-central-1","date":"2025-09-30"}"""));
        Assert.NotEqual(location, next.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_plan_cut_off_by_a_stopping_server_is_marked_failed_by_the_next()
    {
        // Eight sites for latency take seconds: the server stops long before the plan ends.
        var response = await PostAsync("""{"kind":"expansion","add":8,"objective":"latency","date":"2025-09-30"}""");
        var location = response.Headers.Location!.ToString();
        await Host.StopServerAsync();

        await using var again = await MeridianHost.StartAsync(o => o with { DatabasePath = Host.DatabasePath });
        var plan = await again.GetJsonAsync(location);
        Assert.Equal("failed", plan["status"]!.GetValue<string>());
        // The stopping server gave up its lease, so the next one takes the plan over at once.
        Assert.Contains("stopped before it finished", plan["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Listing_plans_refuses_unknown_filters()
    {
        await Problem.AssertAsync(await Host.Http.GetAsync("/api/v1/plans?colour=red"), HttpStatusCode.BadRequest, "colour");
        await Problem.AssertAsync(await Host.Http.GetAsync("/api/v1/plans?status=sleeping"), HttpStatusCode.BadRequest, "status");
    }
}
