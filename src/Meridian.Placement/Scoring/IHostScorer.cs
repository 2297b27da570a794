using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>Ranks hosts for one replica (lower is better) and picks the GPU a sharing task takes.
/// Implementations are chosen by name: best-fit, worst-fit, random-fit, fragmentation.</summary>
public interface IHostScorer
{
    string Name { get; }

    /// <summary>Score of putting one replica of <paramref name="r"/> on <paramref name="host"/>, which fits it.</summary>
    double Score(HostState host, in Resources r);

    /// <summary>As <see cref="Score(HostState, in Resources)"/>, for a replica that runs only on these GPU models (none: any).</summary>
    double Score(HostState host, in Resources r, IReadOnlyList<string> gpuModels) => Score(host, r);

    /// <summary>The GPU a replica asking for <paramref name="milli"/> of one GPU takes; -1 for the default (the fullest that fits).</summary>
    int PickGpu(HostState host, int milli) => -1;
}
