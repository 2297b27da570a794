using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Engine;

/// <summary>Plans moving every replica off a facility under its workload's original constraints (residency, ownership,
/// GPU models, distinct hosts, zone spread). A workload moves whole or not at all: if one of its replicas has nowhere to
/// go, or the result would break its spread, all of its replicas there stay and are reported with the reason.</summary>
public static class DrainPlanner
{
    /// <param name="apply">Keep the new allocations on the fleet and give back the old ones; otherwise the fleet is left as it was.</param>
    public static DrainPlan Plan(Fleet fleet, IEnumerable<Workload> workloads, string facilityId, bool apply)
    {
        var moves = new List<DrainMove>();
        var stuck = new List<DrainStuck>();
        var taken = new List<Allocation>();
        var vacated = new List<Allocation>();
        foreach (var w in workloads.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            var affected = w.Allocations.Where(a => fleet.Host(a.HostId)?.Spec.FacilityId == facilityId).ToArray();
            if (affected.Length == 0) continue;
            var (planned, reason) = PlanWorkload(fleet, w, affected, facilityId);
            if (reason is not null)
            {
                stuck.AddRange(affected.Select(a => new DrainStuck(w.Id, a.Replica, a.HostId, reason)));
                continue;
            }
            taken.AddRange(planned);
            vacated.AddRange(affected);
            moves.AddRange(affected.Zip(planned, (from, to) => new DrainMove(w.Id, from.Replica, from.HostId, to)));
        }
        if (apply)
        {
            foreach (var a in vacated) fleet.Release(a);
        }
        else
        {
            foreach (var a in taken) fleet.Release(a);
        }
        return new DrainPlan(facilityId, moves, stuck);
    }

    private static (List<Allocation> Planned, string? Reason) PlanWorkload(Fleet fleet, Workload w, Allocation[] affected, string facilityId)
    {
        var request = w.Spec.ToRequest();
        var c = request.Constraints;
        var r = request.PerReplica;
        var staying = w.Allocations.Except(affected).ToList();
        var counts = staying.GroupBy(a => a.ZoneId).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // Hosts a replica may not move to: the facility's own, and with distinct hosts, those the workload already uses.
        var blocked = Enumerable.Range(0, fleet.Hosts.Count).Where(h => fleet.Hosts[h].Spec.FacilityId == facilityId).ToHashSet();
        if (c.DistinctHosts) blocked.UnionWith(staying.Select(a => fleet.HostIndex(a.HostId)));
        var zones = PlacementEngine.EligibleZones(fleet, c);
        var planned = new List<Allocation>();
        foreach (var old in affected)
        {
            // The zone with the fewest of this workload's replicas first keeps the spread even.
            var placed = false;
            foreach (var zone in zones.OrderBy(z => counts.GetValueOrDefault(z.Id)).ThenBy(z => z.Id, StringComparer.Ordinal))
            {
                var h = PlacementEngine.BestHost(fleet, zone, r, c, blocked, BestFitScorer.Instance);
                if (h < 0) continue;
                var host = fleet.Hosts[h];
                var gpus = host.Take(r);
                planned.Add(new Allocation(old.Replica, host.Spec.Id, zone.Id, zone.RegionId, r.VcpuMilli, r.MemoryMiB, gpus));
                counts[zone.Id] = counts.GetValueOrDefault(zone.Id) + 1;
                if (c.DistinctHosts) blocked.Add(h);
                placed = true;
                break;
            }
            if (!placed)
            {
                foreach (var a in planned) fleet.Release(a);
                return ([], $"no host with room for {r} left in {(c.Boundary is { } b ? $"boundary {b}" : "the allowed zones")}");
            }
        }
        var spread = c.Spread;
        var used0 = counts.Values.Where(v => v > 0).ToArray();
        if (spread is not null && (used0.Length < spread.MinZones || used0.Max() - used0.Min() > spread.MaxSkew))
        {
            foreach (var a in planned) fleet.Release(a);
            return ([], $"moving would leave {used0.Length} zone(s) with {string.Join("/", used0)} replicas, against minZones {spread.MinZones} and maxSkew {spread.MaxSkew}");
        }
        return (planned, null);
    }
}
