using System.Diagnostics;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Meridian.Server.Telemetry;

/// <summary>OpenTelemetry for the server: ASP.NET Core, HttpClient and runtime instrumentation with Meridian's own meter
/// and activity source; Prometheus at /metrics; OTLP when configured; the trace id in every log line.</summary>
internal static class Observability
{
    public static void Configure(WebApplicationBuilder builder, TelemetryOptions options)
    {
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // Scopes carry the trace and span ids into each line, in the simple and in the JSON format.
        builder.Services.Configure<SimpleConsoleFormatterOptions>(o => o.IncludeScopes = true);
        builder.Services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = true);

        var otlp = string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? null : new Uri(options.OtlpEndpoint);
        var protocol = options.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName, serviceVersion: typeof(Observability).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(m =>
            {
                m.AddMeter(MeridianMetrics.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation();
                // No cached answer: a scrape right after a change shows it.
                if (options.Prometheus) m.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp is not null) m.AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (Signal(otlp, protocol, "metrics"), protocol));
            });
        // Spans are recorded only when they go somewhere: otherwise every proxied request would record two (its own and its
        // call to the region) for nothing. ASP.NET Core still starts an activity per request, so the trace id in problem
        // details and log lines stays.
        if (otlp is not null)
        {
            builder.Services.AddOpenTelemetry().WithTracing(t => t
                .AddSource(MeridianMetrics.Name, Meridian.Storage.StorageTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (Signal(otlp, protocol, "traces"), protocol)));
        }
    }

    /// <summary>The configured endpoint is the collector's base address, as OTEL_EXPORTER_OTLP_ENDPOINT is: over HTTP each
    /// signal has its own path, which the exporter does not add to an endpoint set in code.</summary>
    private static Uri Signal(Uri endpoint, OtlpExportProtocol protocol, string signal) =>
        protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri($"{endpoint.AbsoluteUri.TrimEnd('/')}/v1/{signal}");

    public static void MapMetrics(WebApplication app, TelemetryOptions options)
    {
        if (!options.Prometheus) return;
        // The exporter maps every method; a scrape is a GET (HEAD), anything else is 405 like the rest of the server.
        var endpoint = app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        if (options.AnonymousMetrics) endpoint.AllowAnonymous();
        else endpoint.Allow(Role.Viewer);
    }

    /// <summary>The current trace id, for problem details and clients' bug reports.</summary>
    public static string? TraceId => Activity.Current?.TraceId.ToHexString();
}
