using Meridian.Placement.Capacity;

namespace Meridian.Placement.Tests;

internal static class Fleets
{
    public static readonly Dictionary<string, IReadOnlySet<string>> Boundaries = new()
    {
        ["EU"] = new HashSet<string> { "DE", "FR", "NL" },
        ["UK"] = new HashSet<string> { "GB" },
    };

    /// <summary>Zones (region, country) with hosts of 16 vCPU, 64 GiB and 2 GPUs each, counted exactly.</summary>
    public static Fleet Make(int hostsPerZone, params (string Zone, string Region, string Country)[] zones) =>
        new(zones.SelectMany(z => Enumerable.Range(0, hostsPerZone).Select(i =>
                new HostSpec($"{z.Zone}-h{i}", z.Zone, z.Region, z.Country, 16_000, 65_536, 2, "H20"))),
            PlacementOptions.Exact, Boundaries);

    public static Fleet Europe(int hostsPerZone = 4) => Make(hostsPerZone,
        ("fra-a", "eu-central-1", "DE"), ("fra-b", "eu-central-1", "DE"), ("fra-c", "eu-central-1", "DE"),
        ("par-a", "eu-west-2", "FR"), ("lon-a", "eu-west-1", "GB"), ("lon-b", "eu-west-1", "GB"));
}
