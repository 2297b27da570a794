using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Meridian.Server.Tests.Telemetry;

/// <summary>OTLP export: with an endpoint configured, traces and metrics reach a collector over HTTP, each signal at
/// its own path. The collector is a plain Kestrel server that keeps what it is sent.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class OtlpTests
{
    [Fact]
    public async Task Traces_and_metrics_reach_the_collector_at_their_signal_paths()
    {
        var received = new ConcurrentQueue<(string Path, string? ContentType, byte[] Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            received.Enqueue((http.Request.Path, http.Request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync();
        var endpoint = collector.Urls.First();

        await using var host = await MeridianHost.StartAsync(o =>
        {
            o.Telemetry.OtlpEndpoint = endpoint + "/";
            o.Telemetry.OtlpProtocol = "http/protobuf";
            o.Telemetry.ServiceName = "meridian-otlp-test";
            // Prometheus's reader is pulled by scrapes and reports a flush as failed; OTLP alone reads the meters here.
            o.Telemetry.Prometheus = false;
            return o;
        });
        var placed = await host.Http.PostAsJsonAsync("/api/v1/workloads", new JsonObject
        {
            ["tenant"] = "acme", ["name"] = "traced", ["replicas"] = 1,
            ["resources"] = new JsonObject { ["vcpu"] = 2, ["memoryGiB"] = 8 },
        });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

        // Flushing sends now what the exporters would send on their next tick; it returns once the collector answered.
        Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush());
        // Returns false when a batch could not be written or sent (an exporter built against another SDK version drops
        // every histogram: this test found that).
        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush());

        var traces = received.Where(r => r.Path == "/v1/traces").ToList();
        var metrics = received.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(metrics);
        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.DoesNotContain(received, r => r.Path is not ("/v1/traces" or "/v1/metrics"));
        // Protocol buffers carry strings as they are: the resource's service name, the placement's span and its series.
        static bool Has(IEnumerable<(string, string?, byte[] Body)> bodies, string text) =>
            bodies.Any(b => b.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0);
        Assert.True(Has(traces, "meridian-otlp-test"));
        Assert.True(Has(traces, "place workload"));
        Assert.True(Has(traces, "ledger write"));
        Assert.True(Has(metrics, "meridian-otlp-test"));
        Assert.True(Has(metrics, "meridian.placement.attempts"));
    }
}
