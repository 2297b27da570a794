using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>Any host that fits, at random (seeded): the paper's random-fit baseline.</summary>
public sealed class RandomFitScorer(int seed) : IHostScorer
{
    private readonly Random _random = new(seed);

    public string Name => "random-fit";

    public double Score(HostState host, in Resources r) => _random.NextDouble();
}
