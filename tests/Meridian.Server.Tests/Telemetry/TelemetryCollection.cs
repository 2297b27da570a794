namespace Meridian.Server.Tests.Telemetry;

/// <summary>The server's gauges are process-wide (a deployment runs one server per process) and report every server
/// running in it, so the tests that read series run alone, after the tests that run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}
