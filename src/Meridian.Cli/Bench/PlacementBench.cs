using System.Diagnostics;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;
using Meridian.Placement.Scoring;

namespace Meridian.Cli.Bench;

/// <summary>Replicas per second and per-request latency of a scheduler over a request stream.</summary>
internal sealed record BenchResult(string Scheduler, int Requests, int Placed, int Failed, long Replicas, double Seconds, double ReplicasPerSecond, double P50Micros, double P99Micros, int Overcommits)
{
    public static BenchResult Of(string scheduler, IReadOnlyList<double> micros, int placed, long replicas, double seconds, int overcommits)
    {
        var sorted = micros.Order().ToArray();
        double Pct(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new BenchResult(scheduler, sorted.Length, placed, sorted.Length - placed, replicas, seconds, replicas / seconds, Math.Round(Pct(0.50), 2), Math.Round(Pct(0.99), 2), overcommits);
    }
}

internal static class PlacementBench
{
    public static BenchResult Run(string name, Fleet fleet, IReadOnlyList<PlacementRequest> requests, Func<Fleet, PlacementRequest, PlacementResult> place)
    {
        // Warm up the JIT on a copy of the first requests, then measure on the real fleet.
        var micros = new double[requests.Count];
        var placed = 0;
        long replicas = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < requests.Count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var result = place(fleet, requests[i]);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (!result.Placed) continue;
            placed++;
            replicas += result.Allocations.Count;
        }
        var seconds = total.Elapsed.TotalSeconds;
        return BenchResult.Of(name, micros, placed, replicas, seconds, Overcommits(fleet));
    }

    /// <summary>A placer as the ledger places fragmentation-aware requests: the scorer (and, with
    /// <paramref name="reserve"/>, the whole-GPU reserve) of the mix placed so far with the request in it.</summary>
    public static Func<Fleet, PlacementRequest, PlacementResult> Fragmentation(bool reserve)
    {
        var mix = new WorkloadMix();
        // Refused demand counts as the ledger counts it (every request is a workload of its own).
        var unmet = new UnmetGpuDemand(TimeSpan.FromDays(1));
        var at = DateTimeOffset.UnixEpoch;
        var n = 0;
        return (fleet, q) =>
        {
            var rules = mix.Rules(q.PerReplica, q.Constraints.GpuModels, q.Replicas, fleet.GpusByModel);
            var result = PlacementEngine.Place(fleet, q, rules.Scorer, reserve && rules.Reserve is { } r ? new GpuReserve(r, unmet.Total(at)) : null);
            if (result.Placed) mix.Add(q.PerReplica, q.Constraints.GpuModels, q.Replicas);
            else unmet.Refused($"r{n}", q, result.Problem!, at);
            n++;
            return result;
        };
    }

    /// <summary>GPUs allocated on the fleet (thousandths summed), for the reserve's figure.</summary>
    public static double GpusAllocated(Fleet fleet) => fleet.Hosts.Sum(h => (double)h.GpuFree.Length * h.GpuCapacityMilli - h.GpuFreeMilli) / 1000;

    public static int Overcommits(Fleet fleet) =>
        fleet.Hosts.Count(h => h.VcpuUsed > h.VcpuCapacity || h.MemoryUsed > h.MemoryCapacity || h.GpuFree.Any(g => g < 0));
}
