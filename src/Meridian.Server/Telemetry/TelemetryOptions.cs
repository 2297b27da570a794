namespace Meridian.Server.Telemetry;

/// <summary>Metrics, traces and logs (Meridian:Telemetry).</summary>
public sealed class TelemetryOptions
{
    /// <summary>Serve Prometheus's scrape endpoint at /metrics. Default true.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>Let /metrics be read without a token (it shows capacity per region). Default false: a viewer token.</summary>
    public bool AnonymousMetrics { get; set; }

    /// <summary>Send metrics and traces by OTLP to this collector (for example http://127.0.0.1:4317); none when empty.
    /// Default: none.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>OTLP transport: grpc or http/protobuf. Default grpc.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The service name in metrics' and traces' resource. Default meridian.</summary>
    public string ServiceName { get; set; } = "meridian";
}
