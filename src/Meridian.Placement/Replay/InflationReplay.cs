using System.Diagnostics;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Replay;

/// <summary>The paper's "workload inflation": tasks drawn at random from the pod list are submitted one by one until the
/// GPUs they ask for reach the cluster's GPU capacity; what is left unallocated then is the fragmentation.
/// Every policy replays the same draw.</summary>
public static class InflationReplay
{
    public static IReadOnlyList<OpenbTask> Draw(IReadOnlyList<HostSpec> nodes, IReadOnlyList<OpenbTask> pods, int seed)
    {
        if (pods.Count == 0) throw new ArgumentException("the pod list is empty", nameof(pods));
        var capacity = nodes.Sum(n => (long)n.Gpus * 1000);
        if (capacity == 0) throw new ArgumentException("the nodes have no GPUs", nameof(nodes));
        if (!pods.Any(p => p.Resources.Gpus > 0)) throw new ArgumentException("no pod asks for a GPU", nameof(pods));
        var random = new Random(seed);
        var drawn = new List<OpenbTask>();
        long requested = 0;
        while (requested < capacity)
        {
            var task = pods[random.Next(pods.Count)];
            drawn.Add(task);
            requested += task.Resources.TotalGpuMilli;
        }
        return drawn;
    }

    public static ReplayReport Run(IReadOnlyList<HostSpec> nodes, IReadOnlyList<OpenbTask> tasks, IHostScorer scorer, IProgress<int>? progress = null)
    {
        var fleet = new Fleet(nodes, PlacementOptions.Exact);
        var watch = Stopwatch.StartNew();
        var placed = 0;
        for (var i = 0; i < tasks.Count; i++)
        {
            var t = tasks[i];
            var request = new PlacementRequest(1, t.Resources, new PlacementConstraints { GpuModels = t.GpuModels }, PlacementStrategy.Pack);
            if (PlacementEngine.Place(fleet, request, scorer).Placed) placed++;
            if (i % 256 == 0) progress?.Report(i);
        }
        progress?.Report(tasks.Count);
        var capacity = fleet.Hosts.Sum(h => (double)h.GpuCapacityMilli * h.GpuFree.Length) / 1000;
        var free = fleet.Hosts.Sum(h => (double)h.GpuFreeMilli) / 1000;
        var overcommits = fleet.Hosts.Count(h => h.VcpuUsed > h.VcpuCapacity || h.MemoryUsed > h.MemoryCapacity || h.GpuFree.Any(g => g < 0));
        return new ReplayReport(scorer.Name, tasks.Count, placed, tasks.Count - placed, capacity, capacity - free,
            capacity == 0 ? 0 : free / capacity, overcommits, watch.Elapsed.TotalSeconds);
    }
}
