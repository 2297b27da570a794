using System.Diagnostics;
using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Replay.Fgd;

/// <summary>One policy on one seed's task sequence: every task submitted once, in order, no departures, no retry.</summary>
/// <param name="Allocation">GPU allocation ratio (% of the cluster's GPUs) at each whole percent of arrived GPU demand,
/// 0 to 130, binned as the paper's analysis does (merge_alloc_discrete.py); NaN where no task arrived near it.</param>
/// <param name="DecisionTicks">Stopwatch ticks of each decision (filter, score, choose), for the latency figures.</param>
public sealed record ProtocolRun(
    string Policy, int Seed, int Tasks, int Placed, double GpuCapacity, double GpusAllocated, double[] Allocation, int Overcommits, long[] DecisionTicks);

/// <summary>The paper's protocol (Weng et al., USENIX ATC 2023, its simulator's "tune 1.3, shuffle" runs): see
/// <see cref="FgdWorkload"/> for the tasks, <see cref="ReplayPolicy"/> for the scheduling, <see cref="Bin"/> for
/// the recording.</summary>
public static class FgdProtocol
{
    public const int MaxPercent = 130;

    /// <param name="observe">Told each task and the host it went to (null when it did not fit), for analysis.</param>
    public static ProtocolRun Run(IReadOnlyList<HostSpec> nodes, IReadOnlyList<OpenbTask> tasks, ReplayPolicy policy, int seed,
        IProgress<int>? progress = null, Action<OpenbTask, HostState?>? observe = null)
    {
        var fleet = new Fleet(nodes, PlacementOptions.Exact);
        var hosts = fleet.HostArray;
        var models = hosts.Select(h => h.Spec.GpuModel).ToArray();
        var capacityMilli = hosts.Sum(h => (long)h.GpuCapacityMilli * h.GpuFree.Length);
        var arrived = new long[tasks.Count + 1];
        var used = new long[tasks.Count + 1];
        var ticks = new long[tasks.Count];
        long usedMilli = 0, arrivedMilli = 0, unmetMilli = 0;
        var placed = 0;
        for (var t = 0; t < tasks.Count; t++)
        {
            var task = tasks[t];
            var r = task.Resources;
            var start = Stopwatch.GetTimestamp();
            var chosen = -1;
            double best = double.NegativeInfinity;
            // As the server's reserve forecasts it: free GPU milli less the demand that found no room (here every task
            // refused, as nothing departs), which is the capacity less the demand arrived.
            var stillToFill = capacityMilli - usedMilli - unmetMilli;
            var keepWhole = policy.Reserve?.KeepsWholeHosts(hosts, r, stillToFill) == true;
            for (var i = 0; i < hosts.Length; i++)
            {
                var host = hosts[i];
                if (keepWhole && WholeGpuReserve.IsWholeLargeHost(host)) continue;
                if (!host.Fits(r) || (r.Gpus > 0 && task.GpuModels.Count > 0 && (models[i] is null || !task.GpuModels.Contains(models[i]!)))) continue;
                var score = policy.Score(i, host, task);
                // The simulator's kube-scheduler breaks ties by the smallest node name, "for reproducibility".
                if (score > best || (score == best && string.CompareOrdinal(host.Spec.Id, hosts[chosen].Spec.Id) < 0))
                    (best, chosen) = (score, i);
            }
            // A policy with a reserve may refuse a share that fits (the paper's policies never refuse); a share it admits
            // takes the GPU it was checked on.
            var gpu = chosen >= 0 && r.IsGpuShare && policy.Reserve is not null ? policy.PickGpu(hosts[chosen], task) : -1;
            if (gpu >= 0 && policy.Reserve!.Refuses(hosts, r, hosts[chosen].GpuFree[gpu] >= hosts[chosen].GpuCapacityMilli, stillToFill))
                chosen = -1;
            if (chosen >= 0)
            {
                var host = hosts[chosen];
                host.Take(r, gpu >= 0 ? (_, _) => gpu : (h, _) => policy.PickGpu(h, task));
                policy.Placed(chosen, task);
                usedMilli += r.TotalGpuMilli;
                placed++;
            }
            else unmetMilli += r.TotalGpuMilli;
            ticks[t] = Stopwatch.GetTimestamp() - start;
            observe?.Invoke(task, chosen >= 0 ? hosts[chosen] : null);
            arrivedMilli += r.TotalGpuMilli;
            arrived[t + 1] = arrivedMilli;
            used[t + 1] = usedMilli;
            if ((t & 255) == 0) progress?.Report(t);
        }
        progress?.Report(tasks.Count);
        var overcommits = hosts.Count(h => h.VcpuUsed > h.VcpuCapacity || h.MemoryUsed > h.MemoryCapacity || h.GpuFree.Any(g => g < 0));
        return new ProtocolRun(policy.Name, seed, tasks.Count, placed, capacityMilli / 1000.0, usedMilli / 1000.0,
            Bin(arrived, used, capacityMilli), overcommits, ticks);
    }

    /// <summary>The paper's recording: after each task (and once before the first), the arrived and allocated GPU milli;
    /// at each whole percent p, the mean allocation ratio of the records whose arrived share rounds to p (within one
    /// percent when none does), rounded to two decimals, as merge_alloc_discrete.py does.</summary>
    public static double[] Bin(IReadOnlyList<long> arrived, IReadOnlyList<long> used, long capacityMilli)
    {
        var arrive = new double[arrived.Count];
        var alloc = new double[arrived.Count];
        for (var i = 0; i < arrived.Count; i++)
        {
            arrive[i] = Math.Round(100.0 * arrived[i] / capacityMilli, MidpointRounding.ToEven);
            alloc[i] = Math.Round(100.0 * used[i] / capacityMilli, 2, MidpointRounding.ToEven);
        }
        var curve = new double[MaxPercent + 1];
        for (var p = 0; p <= MaxPercent; p++)
        {
            double sum = 0;
            var n = 0;
            for (var i = 0; i < arrive.Length; i++)
            {
                if (arrive[i] == p) (sum, n) = (sum + alloc[i], n + 1);
            }
            if (n == 0)
            {
                for (var i = 0; i < arrive.Length; i++)
                {
                    if (arrive[i] >= p - 1 && arrive[i] <= p + 1) (sum, n) = (sum + alloc[i], n + 1);
                }
            }
            curve[p] = n == 0 ? double.NaN : Math.Round(sum / n, 2, MidpointRounding.ToEven);
        }
        return curve;
    }
}
