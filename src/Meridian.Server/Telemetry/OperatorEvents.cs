using System.Collections.Concurrent;

namespace Meridian.Server.Telemetry;

/// <summary>What an operator must see in the log, as [LoggerMessage] events with fixed ids: regions turning unhealthy or
/// healthy, gateway fail-overs (at most one line per service and region every ten seconds, so an outage does not flood
/// the log), plans finishing, a replica catching up after a gap.</summary>
internal static partial class OperatorEvents
{
    private static readonly ConcurrentDictionary<(string, string), long> LastFailover = new();

    public static void HealthChanged(ILogger logger, string service, string region, string? reason)
    {
        MeridianMetrics.HealthTransitions.Add(1, new("service", service), new("region", region), new("state", reason is null ? "healthy" : "unhealthy"));
        if (reason is null) LogHealthy(logger, region, service);
        else LogUnhealthy(logger, region, service, reason);
    }

    public static void FailedOver(ILogger logger, string service, string region, string error)
    {
        MeridianMetrics.Failovers.Add(1, new("service", service), new("region", region));
        var now = Environment.TickCount64;
        var log = false;
        LastFailover.AddOrUpdate((service, region), _ => { log = true; return now; }, (_, last) =>
        {
            if (now - last < 10_000) return last;
            log = true;
            return now;
        });
        if (log) LogFailover(logger, service, region, error);
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "Region {Region} of {Service} turned unhealthy: {Reason}")]
    private static partial void LogUnhealthy(ILogger logger, string region, string service, string reason);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "Region {Region} of {Service} is healthy again")]
    private static partial void LogHealthy(ILogger logger, string region, string service);

    [LoggerMessage(EventId = 52, Level = LogLevel.Warning, Message = "Gateway failed over {Service} away from {Region}: {Error}")]
    private static partial void LogFailover(ILogger logger, string service, string region, string error);
}
