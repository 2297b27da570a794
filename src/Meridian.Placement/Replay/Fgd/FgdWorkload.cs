namespace Meridian.Placement.Replay.Fgd;

/// <summary>The task sequence of the paper's simulator (kubernetes-scheduler-simulator, experiments of Weng et al.,
/// USENIX ATC 2023) for one seed: the pod list sorted by name and shuffled, then trimmed or extended at random until
/// its GPU requests total <see cref="TuneRatio"/> of the cluster's GPUs.</summary>
public static class FgdWorkload
{
    public const double TuneRatio = 1.3;

    /// <summary>The seeds of the paper's published runs.</summary>
    public static readonly IReadOnlyList<int> PaperSeeds = [42, 43, 44, 45, 46, 47, 48, 49, 50, 51];

    public static IReadOnlyList<OpenbTask> Tasks(IReadOnlyList<OpenbTask> pods, long clusterGpuMilli, int seed, double ratio = TuneRatio)
    {
        if (pods.Count == 0) throw new ArgumentException("the pod list is empty", nameof(pods));
        if (clusterGpuMilli <= 0) throw new ArgumentException("the nodes have no GPUs", nameof(pods));
        var total = pods.Sum(p => p.Resources.TotalGpuMilli);
        if (total <= 0) throw new ArgumentException("no pod asks for a GPU", nameof(pods));
        var random = new Random(seed);
        // SortClusterPods: by name, then shuffled (the simulator shuffles before it tunes).
        var list = pods.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        var target = ratio * clusterGpuMilli;
        if (total > target)
        {
            // tuneDownPods: remove tasks at random until the requests fit the target.
            while (total > target)
            {
                var i = random.Next(list.Count);
                total -= list[i].Resources.TotalGpuMilli;
                list.RemoveAt(i);
            }
        }
        else
        {
            // tuneUpPods: append copies of tasks drawn from the original list until the next would pass the target. As in
            // the simulator, the test compares one GPU's share, not the task's total, so a multi-GPU task can pass it.
            for (var n = 0; ; n++)
            {
                var pod = pods[random.Next(pods.Count)];
                if (total + pod.Resources.GpuMilli * (pod.Resources.Gpus > 0 ? 1 : 0) > target) break;
                total += pod.Resources.TotalGpuMilli;
                list.Add(pod with { Name = $"{pod.Name}-tuned-{n}" });
            }
        }
        return list;
    }
}
