using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;

namespace Meridian.Core.Fleet;

/// <summary>Generates a deterministic synthetic fleet of hosts for every zone in service, so placement
/// has capacity to use. Each zone draws from its own random stream (seed mixed with a stable hash of the
/// zone id), so adding a zone does not change the hosts of the others.</summary>
public static class HostFleetGenerator
{
    private sealed record Shape(int Vcpu, int MemoryGiB, int Gpus, string? GpuModel);

    private static readonly Shape[] General = [new(64, 256, 0, null), new(96, 384, 0, null), new(128, 512, 0, null)];
    private static readonly Shape[] Memory = [new(64, 512, 0, null), new(96, 768, 0, null)];
    private static readonly Shape[] Gpu =
    [
        new(96, 768, 8, "A100-80G"), new(128, 1024, 8, "H20"), new(64, 512, 4, "L20"), new(32, 188, 2, "A10"),
    ];

    public static IReadOnlyList<Host> Generate(World world, HostFleetOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.HostsPerZone);
        var hosts = new List<Host>();
        foreach (var zone in world.Zones.Values)
        {
            if (LifecycleRules.Current(zone.History) is not { } s || !LifecycleRules.InService.Contains(s)) continue;
            var facilities = world.Facilities.Values
                .Where(f => f.ZoneId == zone.Id && LifecycleRules.Current(f.History) is { } fs && LifecycleRules.InService.Contains(fs))
                .Select(f => f.Id).ToArray();
            if (facilities.Length == 0) continue;

            var random = new Random(options.Seed ^ StableHash(zone.Id));
            var gpuHosts = Math.Max(2, (int)Math.Round(options.HostsPerZone * options.GpuShare));
            for (var i = 0; i < options.HostsPerZone; i++)
            {
                var shape = i < gpuHosts
                    ? Gpu[random.Next(Gpu.Length)]
                    : random.NextDouble() < 0.7 ? General[random.Next(General.Length)] : Memory[random.Next(Memory.Length)];
                hosts.Add(new Host($"{zone.Id}-h{i + 1:000}", zone.Id, facilities[i % facilities.Length],
                    shape.Vcpu, shape.MemoryGiB, shape.Gpus, shape.GpuModel));
            }
        }
        return hosts;
    }

    /// <summary>FNV-1a: string.GetHashCode differs between processes.</summary>
    private static int StableHash(string s)
    {
        var h = 2166136261u;
        foreach (var c in s) h = (h ^ c) * 16777619u;
        return unchecked((int)h);
    }
}
