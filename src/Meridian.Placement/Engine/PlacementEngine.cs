using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Engine;

/// <summary>Places every replica of a request on the fleet, or none. Zones are filtered by residency, each eligible
/// zone is asked how many replicas it can take (stopping at N), the replicas are split over zones to honour the
/// spread, and hosts are chosen inside each zone by the strategy's scorer.</summary>
public static class PlacementEngine
{
    /// <summary>Places the request and takes the capacity on <paramref name="fleet"/>; nothing is taken when it fails.</summary>
    public static PlacementResult Place(Fleet fleet, PlacementRequest request, IHostScorer? scorer = null)
    {
        if (RequestChecks.Check(fleet, request) is { } bad) return new PlacementResult([], bad);
        var r = request.PerReplica;
        var c = request.Constraints;
        var n = request.Replicas;
        scorer ??= request.Strategy == PlacementStrategy.Pack ? BestFitScorer.Instance : WorstFitScorer.Instance;

        var zones = EligibleZones(fleet, c);
        if (zones.Count == 0) return PlacementResult.Fail("residency", $"no zone in service matches {Describe(c)}");
        var spread = c.Spread ?? new SpreadConstraint(1, n);
        if (zones.Count < spread.MinZones)
            return PlacementResult.Fail("spread", $"minZones is {spread.MinZones} but only {zones.Count} zone(s) in service match {Describe(c)}: {string.Join(", ", zones.Select(z => z.Id))}");

        var caps = new int[zones.Count];
        for (var i = 0; i < zones.Count; i++) caps[i] = Capacity(fleet, zones[i], r, c, n);
        var split = ZoneDistribution.Solve(caps, n, spread.MinZones, spread.MaxSkew, widest: request.Strategy == PlacementStrategy.Spread);
        if (split is null) return CapacityFailure(fleet, zones, caps, request);

        var allocations = new List<Allocation>(n);
        var replica = 0;
        for (var i = 0; i < zones.Count; i++)
        {
            if (split[i] == 0) continue;
            var used = c.DistinctHosts ? new HashSet<int>() : null;
            for (var k = 0; k < split[i]; k++)
            {
                var host = BestHost(fleet, zones[i], r, c, used, scorer);
                if (host < 0)
                {
                    // Counting and choosing use the same fit rules, so this is a bug; give everything back.
                    foreach (var a in allocations) fleet.Release(a);
                    return PlacementResult.Fail("capacity", $"zone {zones[i].Id} could not take the replicas it was counted for");
                }
                used?.Add(host);
                var state = fleet.Hosts[host];
                var gpus = state.Take(r, scorer is { } s ? (h, m) => Choose(s, h, m) : null);
                allocations.Add(new Allocation(replica++, state.Spec.Id, zones[i].Id, zones[i].RegionId, r.VcpuMilli, r.MemoryMiB, gpus));
            }
        }
        return new PlacementResult(allocations, null);
    }

    private static int Choose(IHostScorer scorer, HostState host, int milli)
    {
        var pick = scorer.PickGpu(host, milli);
        return pick >= 0 ? pick : host.TightestGpu(milli);
    }

    internal static List<ZoneInfo> EligibleZones(Fleet fleet, PlacementConstraints c)
    {
        var boundary = c.Boundary is { } b ? fleet.Boundaries[b] : null;
        var list = new List<ZoneInfo>();
        foreach (var z in fleet.Zones)
        {
            if (c.Regions.Count > 0 && !c.Regions.Contains(z.RegionId)) continue;
            if (c.Countries.Count > 0 && !c.Countries.Contains(z.Country)) continue;
            if (boundary is not null && !boundary.Contains(z.Country)) continue;
            list.Add(z);
        }
        return list;
    }

    /// <summary>How many replicas a zone can take, counting at most <paramref name="limit"/>.</summary>
    internal static int Capacity(Fleet fleet, ZoneInfo zone, in Resources r, PlacementConstraints c, int limit)
    {
        var total = 0;
        foreach (var h in fleet.Candidates(zone, r, c.GpuModels))
        {
            var host = fleet.Hosts[h];
            if (!host.Spec.Schedulable || (c.Ownership.Count > 0 && !c.Ownership.Contains(host.Spec.Ownership))) continue;
            total += c.DistinctHosts ? (host.Fits(r) ? 1 : 0) : host.HowMany(r, limit - total);
            if (total >= limit) return limit;
        }
        return total;
    }

    internal static int BestHost(Fleet fleet, ZoneInfo zone, in Resources r, PlacementConstraints c, HashSet<int>? used, IHostScorer scorer)
    {
        var best = -1;
        var bestScore = double.MaxValue;
        foreach (var h in fleet.Candidates(zone, r, c.GpuModels))
        {
            var host = fleet.Hosts[h];
            if (!host.Spec.Schedulable || (used is not null && used.Contains(h))) continue;
            if (c.Ownership.Count > 0 && !c.Ownership.Contains(host.Spec.Ownership)) continue;
            if (!host.Fits(r)) continue;
            var score = scorer.Score(host, r);
            if (score < bestScore)
            {
                bestScore = score;
                best = h;
            }
        }
        return best;
    }

    private static PlacementResult CapacityFailure(Fleet fleet, List<ZoneInfo> zones, int[] caps, PlacementRequest request)
    {
        var byZone = zones.Select((z, i) => (z.Id, Cap: caps[i])).ToDictionary(x => x.Id, x => x.Cap, StringComparer.Ordinal);
        var total = caps.Sum();
        var spread = request.Constraints.Spread;
        var where = string.Join(", ", byZone.Select(kv => $"{kv.Key} {kv.Value}"));
        if (total < request.Replicas)
        {
            var what = request.Constraints.DistinctHosts ? " on distinct hosts" : "";
            return PlacementResult.Fail("resources",
                $"room for only {total} of {request.Replicas} replicas of {request.PerReplica}{what} in {Describe(request.Constraints)} ({where}); " +
                $"short by {request.Replicas - total}", byZone);
        }
        return PlacementResult.Fail("spread",
            $"room for {total} replicas, but not spread over at least {spread?.MinZones ?? 1} zones with maxSkew {spread?.MaxSkew} ({where})", byZone);
    }

    private static string Describe(PlacementConstraints c)
    {
        var parts = new List<string>();
        if (c.Boundary is { } b) parts.Add($"boundary {b}");
        if (c.Regions.Count > 0) parts.Add($"regions {string.Join(", ", c.Regions)}");
        if (c.Countries.Count > 0) parts.Add($"countries {string.Join(", ", c.Countries)}");
        if (c.Ownership.Count > 0) parts.Add($"ownership {string.Join(", ", c.Ownership)}");
        if (c.GpuModels.Count > 0) parts.Add($"GPU models {string.Join(", ", c.GpuModels)}");
        return parts.Count == 0 ? "the whole fleet" : string.Join("; ", parts);
    }
}
