using System.Diagnostics;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;

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

    public static int Overcommits(Fleet fleet) =>
        fleet.Hosts.Count(h => h.VcpuUsed > h.VcpuCapacity || h.MemoryUsed > h.MemoryCapacity || h.GpuFree.Any(g => g < 0));
}
