using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Meridian.Server.Tests.Steering;

namespace Meridian.Server.Tests.Telemetry;

/// <summary>/metrics in Prometheus's text format: Meridian's series with plausible values, and who may read it.</summary>
[Collection(TelemetryCollection.Name)]
public sealed partial class MetricsTests
{
    /// <summary>The value of the first sample of <paramref name="name"/> whose labels include every one given.</summary>
    private static double? Sample(string text, string name, params (string Label, string Value)[] labels)
    {
        foreach (Match m in SampleLine().Matches(text))
        {
            if (m.Groups["name"].Value != name) continue;
            var have = m.Groups["labels"].Value;
            if (labels.All(l => have.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
                return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>[-0-9.e+]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    [Fact]
    public async Task After_a_placement_and_a_gateway_request_the_named_series_are_there()
    {
        await using var host = await MeridianHost.StartAsync();
        await using var frankfurt = await Backend.StartAsync("frankfurt");
        var endpoints = new JsonObject { ["endpoints"] = new JsonObject { ["eu-central-1"] = frankfurt.Url } };
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PatchAsync("/api/v1/services/qwen3-max", Problem.Json(endpoints.ToJsonString()))).StatusCode);
        var placed = await host.Http.PostAsJsonAsync("/api/v1/workloads", new JsonObject
        {
            ["tenant"] = "acme", ["name"] = "metered", ["replicas"] = 2,
            ["resources"] = new JsonObject { ["vcpu"] = 4, ["memoryGiB"] = 16, ["gpus"] = 2 },
            ["constraints"] = new JsonObject { ["regions"] = new JsonArray("eu-west-1") },
        });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var refused = await host.Http.PostAsJsonAsync("/api/v1/workloads", new JsonObject
        {
            ["tenant"] = "acme", ["name"] = "too-big", ["replicas"] = 1,
            ["resources"] = new JsonObject { ["vcpu"] = 4, ["memoryGiB"] = 16, ["gpus"] = 64 },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var gateway = host.Client(null);
        gateway.DefaultRequestHeaders.Add("X-Client-Country", "DE");
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/gw/qwen3-max/v1/echo?lat=50.1&lon=8.7")).StatusCode);

        // The gateway counts a request once its pipeline returns, which can be just after the client has the whole
        // answer: scrape until it is there (a bounded number of tries, whatever the machine's speed).
        var text = "";
        for (var i = 0; i < 200 && Sample(text, "meridian_gateway_requests_total", ("service", "qwen3-max"), ("outcome", "ok")) is null; i++)
        {
            if (i > 0) await Task.Delay(25);
            text = await host.Http.GetStringAsync("/metrics");
        }
        Assert.True(Sample(text, "meridian_placement_attempts_total", ("result", "scheduled")) >= 1);
        Assert.True(Sample(text, "meridian_placement_attempts_total", ("result", "unschedulable")) >= 1);
        Assert.True(Sample(text, "meridian_placement_attempt_duration_seconds_count", ("result", "scheduled")) >= 1);
        Assert.True(Sample(text, "meridian_gateway_requests_total", ("service", "qwen3-max"), ("region", "eu-central-1"), ("outcome", "ok")) >= 1);
        Assert.True(Sample(text, "meridian_gateway_request_duration_seconds_sum", ("service", "qwen3-max"), ("region", "eu-central-1")) > 0);
        Assert.True(Sample(text, "meridian_world_generation") >= 1);
        Assert.True(Sample(text, "meridian_ledger_transactions_total") >= 1);
        Assert.NotNull(Sample(text, "meridian_replica_catch_up_lag_seconds"));
        Assert.NotNull(Sample(text, "meridian_plans_active"));
        Assert.NotNull(Sample(text, "meridian_watch_streams"));
        Assert.NotNull(Sample(text, "meridian_gpus_stranded", ("region", "eu-west-1")));
        // Capacity in base units: the placement holds 4 GPUs, 8 vCPU and 32 GiB in eu-west-1.
        var used = Sample(text, "meridian_capacity_used", ("region", "eu-west-1"), ("resource", "gpu"));
        var total = Sample(text, "meridian_capacity_total", ("region", "eu-west-1"), ("resource", "gpu"));
        Assert.True(used >= 4 && used <= total, $"used {used} of {total}");
        Assert.True(Sample(text, "meridian_capacity_used", ("region", "eu-west-1"), ("resource", "memory")) >= 32.0 * 1024 * 1024 * 1024);
        Assert.True(Sample(text, "meridian_capacity_free", ("region", "eu-west-1"), ("resource", "vcpu")) > 0);
        // ASP.NET Core's and the runtime's own series come along.
        Assert.Contains("http_server_request_duration_seconds", text);
        Assert.Contains("dotnet_gc_", text);
        // No label takes a value a client chose: an unknown service is counted as "(unknown)".
        await gateway.GetAsync("/gw/made-up-by-a-client/x");
        for (var i = 0; i < 200 && Sample(text, "meridian_gateway_requests_total", ("service", "(unknown)")) is null; i++)
        {
            await Task.Delay(25);
            text = await host.Http.GetStringAsync("/metrics");
        }
        Assert.DoesNotContain("made-up-by-a-client", text);
        Assert.True(Sample(text, "meridian_gateway_requests_total", ("service", "(unknown)"), ("outcome", "unknown_service")) >= 1);
    }

    [Fact]
    public async Task Metrics_need_a_token_unless_configured_open()
    {
        await using var closed = await MeridianHost.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await closed.Anonymous.GetAsync("/metrics")).StatusCode);
        var viewer = closed.Client(await closed.TokenAsync("viewer"));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/metrics")).StatusCode);
        var member = closed.Client(await closed.TokenAsync("member", tenant: "acme"));
        await Problem.AssertAsync(await member.GetAsync("/metrics"), HttpStatusCode.Forbidden, null);
        await Problem.AssertAsync(await closed.Http.PostAsync("/metrics", new StringContent("x")), HttpStatusCode.MethodNotAllowed, null);

        await using var open = await MeridianHost.StartAsync(o => o with { Telemetry = new() { AnonymousMetrics = true } });
        Assert.Equal(HttpStatusCode.OK, (await open.Anonymous.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Problem_details_carry_the_trace_id()
    {
        await using var host = await MeridianHost.StartAsync();
        var body = await Problem.AssertAsync(await host.Http.GetAsync("/api/v1/regions/atlantis"), HttpStatusCode.NotFound, null);
        Assert.Matches("^[0-9a-f]{32}$", body["traceId"]!.GetValue<string>());
    }
}
