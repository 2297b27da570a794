using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Engine;

/// <summary>The baseline a naive scheduler would be: for each replica, scan every host of the fleet in order and take
/// the first that is in an allowed zone and fits. Zones are taken round-robin for spread; no index, no counting ahead,
/// so a request that cannot be met fails halfway and has to give back what it took.</summary>
public static class FirstFitScheduler
{
    public static PlacementResult Place(Fleet fleet, PlacementRequest request)
    {
        var c = request.Constraints;
        var zones = PlacementEngine.EligibleZones(fleet, c).Select(z => z.Index).ToArray();
        var minZones = c.Spread?.MinZones ?? 1;
        if (zones.Length < minZones) return PlacementResult.Fail("spread", "not enough zones");
        var allocations = new List<Allocation>(request.Replicas);
        var used = new HashSet<int>();
        for (var replica = 0; replica < request.Replicas; replica++)
        {
            var zone = zones[replica % Math.Max(minZones, 1) % zones.Length];
            var found = -1;
            for (var h = 0; h < fleet.Hosts.Count; h++)
            {
                var host = fleet.Hosts[h];
                if (host.Zone != zone || !host.Spec.Schedulable || (c.DistinctHosts && used.Contains(h))) continue;
                if (c.GpuModels.Count > 0 && !c.GpuModels.Contains(host.Spec.GpuModel ?? "", StringComparer.OrdinalIgnoreCase)) continue;
                if (!host.Fits(request.PerReplica)) continue;
                found = h;
                break;
            }
            if (found < 0)
            {
                foreach (var a in allocations) fleet.Release(a);
                return PlacementResult.Fail("resources", "no host fits");
            }
            used.Add(found);
            var state = fleet.Hosts[found];
            var gpus = state.Take(request.PerReplica);
            allocations.Add(new Allocation(replica, state.Spec.Id, state.Spec.ZoneId, state.Spec.RegionId, request.PerReplica.VcpuMilli, request.PerReplica.MemoryMiB, gpus));
        }
        return new PlacementResult(allocations, null);
    }
}
