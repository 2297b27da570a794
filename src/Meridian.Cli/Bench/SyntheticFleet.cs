using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Cli.Bench;

/// <summary>A seeded synthetic fleet and request stream for placement benchmarks: zones three to a region, regions spread
/// over countries of three data boundaries, a quarter of the hosts with 8 GPUs.</summary>
internal static class SyntheticFleet
{
    private static readonly (string Country, string Boundary)[] Countries =
        [("DE", "EU"), ("FR", "EU"), ("NL", "EU"), ("US", "US"), ("SG", "ASEAN"), ("MY", "ASEAN"), ("TH", "ASEAN"), ("CN", "CN")];

    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Boundaries =
        Countries.GroupBy(c => c.Boundary).ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(c => c.Country).ToHashSet());

    public static IReadOnlyList<HostSpec> Hosts(int hosts, int zones, int seed)
    {
        var random = new Random(seed);
        var list = new List<HostSpec>(hosts);
        for (var i = 0; i < hosts; i++)
        {
            var zone = i % zones;
            var region = zone / 3;
            var country = Countries[region % Countries.Length].Country;
            var gpu = random.NextDouble() < 0.25;
            list.Add(gpu
                ? new HostSpec($"h{i:00000}", $"z{zone:000}", $"r{region:000}", country, 96_000, 768 * 1024, 8, random.Next(2) == 0 ? "H20" : "A100")
                : new HostSpec($"h{i:00000}", $"z{zone:000}", $"r{region:000}", country, 64_000 * (1 + random.Next(2)), 256L * 1024 * (1 + random.Next(2))));
        }
        return list;
    }

    /// <summary>Requests of 3 to 6 replicas spread over at least 3 zones (max skew 1) inside a data boundary; 30% ask for a GPU each.</summary>
    public static IReadOnlyList<PlacementRequest> Requests(int count, int seed)
    {
        var random = new Random(seed);
        var boundaries = Boundaries.Keys.Order(StringComparer.Ordinal).ToArray();
        return Enumerable.Range(0, count).Select(_ =>
        {
            var gpu = random.NextDouble() < 0.3;
            var resources = gpu ? Resources.Of(8, 32, gpus: 1) : Resources.Of(2, 4);
            var constraints = new PlacementConstraints { Boundary = boundaries[random.Next(boundaries.Length)], Spread = new SpreadConstraint(3, 1) };
            return new PlacementRequest(3 + random.Next(4), resources, constraints);
        }).ToArray();
    }

    /// <summary>GPU requests only, fragmentation-aware, as the whole-GPU reserve sees them: 1 to 3 replicas inside a data
    /// boundary (one zone is enough); 55% one GPU, 30% a 0.81 share (nothing fits beside one), 15% eight GPUs.</summary>
    public static IReadOnlyList<PlacementRequest> GpuRequests(int count, int seed)
    {
        var random = new Random(seed);
        var boundaries = Boundaries.Keys.Order(StringComparer.Ordinal).ToArray();
        return Enumerable.Range(0, count).Select(_ =>
        {
            var kind = random.NextDouble();
            var resources = kind < 0.55 ? Resources.Of(8, 32, gpus: 1) : kind < 0.85 ? Resources.Of(4, 16, gpus: 1, gpuShare: 0.81) : Resources.Of(64, 256, gpus: 8);
            var constraints = new PlacementConstraints { Boundary = boundaries[random.Next(boundaries.Length)] };
            return new PlacementRequest(1 + random.Next(3), resources, constraints, PlacementStrategy.Fragmentation);
        }).ToArray();
    }
}
