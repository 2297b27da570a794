using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Replay.Fgd;

/// <summary>A scheduling policy of the paper's simulator: it scores every node that passes the filter (higher is
/// better; ties are broken at random, as kube-scheduler does) and picks the GPUs on the chosen one.</summary>
public abstract class ReplayPolicy
{
    /// <summary>The name in the paper's results (published_allocation_ratios.csv), or Meridian's own.</summary>
    public abstract string Name { get; }

    /// <summary>Score of <paramref name="task"/> on host number <paramref name="index"/>, which it fits.</summary>
    public abstract double Score(int index, HostState host, OpenbTask task);

    /// <summary>The GPU a task takes for each of its GPUs in turn (called once per GPU, after the previous one is taken).</summary>
    public virtual int PickGpu(HostState host, OpenbTask task) => BestFitGpu(host, task.Resources.GpuMilli);

    /// <summary>Admission on top of the scores, for a policy that refuses some work that fits (null: none refuses).</summary>
    public virtual Scoring.WholeGpuReserve? Reserve => null;

    /// <summary>Told where each task went, for policies that keep state per host.</summary>
    public virtual void Placed(int index, OpenbTask task) { }

    /// <summary>Open-Gpu-Share's "best" GPU selection: a share takes the fullest GPU it fits on; whole GPUs are taken
    /// among the fully free ones in index order.</summary>
    protected static int BestFitGpu(HostState host, int milli)
    {
        if (milli >= 1000) return FirstFreeGpu(host);
        var best = -1;
        for (var i = 0; i < host.GpuFree.Length; i++)
        {
            if (host.GpuFree[i] >= milli && (best < 0 || host.GpuFree[i] < host.GpuFree[best])) best = i;
        }
        return best;
    }

    protected static int FirstFreeGpu(HostState host)
    {
        for (var i = 0; i < host.GpuFree.Length; i++)
        {
            if (host.GpuFree[i] >= host.GpuCapacityMilli) return i;
        }
        return -1;
    }

    /// <summary>kube-scheduler's MaxNodeScore, and the simulator's normalising "largest node" (MaxSpecCpu, MaxSpecGpu).</summary>
    protected const int MaxNodeScore = 100;
    protected const double MaxSpecCpu = 128_000;
    protected const double MaxSpecGpu = 8_000;
}
