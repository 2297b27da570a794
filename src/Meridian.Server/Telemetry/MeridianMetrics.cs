using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Meridian.Server.Telemetry;

/// <summary>Meridian's own meter and activity source, named "Meridian". Names follow Prometheus conventions once exported
/// (base units, counters end in _total) and, for placement, kube-scheduler's; every label has a bounded set of values
/// (results and outcomes are fixed words, services and regions come from the world, never from a request).</summary>
public static class MeridianMetrics
{
    public const string Name = "Meridian";

    public static readonly Meter Meter = new(Name, typeof(MeridianMetrics).Assembly.GetName().Version?.ToString());

    public static readonly ActivitySource Source = new(Name);

    /// <summary>As kube-scheduler's scheduler_schedule_attempts_total{result}: scheduled, unschedulable, conflict, error.</summary>
    public static readonly Counter<long> PlacementAttempts =
        Meter.CreateCounter<long>("meridian.placement.attempts", "{attempt}", "Placement attempts by result: scheduled, unschedulable (no capacity or a constraint), conflict, error");

    /// <summary>As kube-scheduler's scheduler_scheduling_attempt_duration_seconds.</summary>
    public static readonly Histogram<double> PlacementDuration =
        Meter.CreateHistogram<double>("meridian.placement.attempt.duration", "s", "Placement attempt latency, by result, including the commit");

    public static readonly Histogram<double> PlanDuration =
        Meter.CreateHistogram<double>("meridian.plan.duration", "s", "How long plans ran, by kind and result");

    public static readonly Counter<long> GatewayRequests =
        Meter.CreateCounter<long>("meridian.gateway.requests", "{request}", "Gateway requests by service, region served from and outcome");

    public static readonly Histogram<double> GatewayDuration =
        Meter.CreateHistogram<double>("meridian.gateway.request.duration", "s", "Gateway request latency by service, region and outcome");

    public static readonly Counter<long> Failovers =
        Meter.CreateCounter<long>("meridian.gateway.failovers", "{failover}", "Gateway requests retried in another region after a region failed, by service and failed region");

    public static readonly Counter<long> HealthTransitions =
        Meter.CreateCounter<long>("meridian.health.transitions", "{transition}", "Regional endpoints turning healthy or unhealthy, by service, region and new state");

    public static readonly Histogram<double> CatchUpDuration =
        Meter.CreateHistogram<double>("meridian.replica.catch_up.duration", "s", "How long reading and applying the change log took, per catch-up");

    /// <summary>Placement results, as labels.</summary>
    public static class Results
    {
        public const string Scheduled = "scheduled";
        public const string Unschedulable = "unschedulable";
        public const string Conflict = "conflict";
        public const string Error = "error";
    }

    public static void RecordPlacement(string result, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("result", result);
        PlacementAttempts.Add(1, tag);
        PlacementDuration.Record(elapsed.TotalSeconds, tag);
    }
}
