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
    /// <param name="scorer">Chooses hosts; by default the strategy's: best fit to pack, worst fit to spread, and for the
    /// fragmentation-aware strategy a <see cref="FragmentationScorer"/> of the request alone (the ledger passes one of
    /// the workloads placed, which knows the mix).</param>
    public static PlacementResult Place(Fleet fleet, PlacementRequest request, IHostScorer? scorer = null)
    {
        if (RequestChecks.Check(fleet, request) is { } bad) return new PlacementResult([], bad);
        var r = request.PerReplica;
        var c = request.Constraints;
        var n = request.Replicas;
        scorer ??= request.Strategy switch
        {
            PlacementStrategy.Pack => BestFitScorer.Instance,
            PlacementStrategy.Fragmentation => new FragmentationScorer([(r, (IReadOnlyList<string>)c.GpuModels, (double)n)], fleet.GpusByModel()),
            _ => WorstFitScorer.Instance,
        };

        var zones = EligibleZones(fleet, c);
        if (zones.Count == 0) return PlacementResult.Fail("residency", $"no zone in service matches {Describe(c)}");
        var spread = c.Spread ?? new SpreadConstraint(1, n);
        if (zones.Count < spread.MinZones)
            return PlacementResult.Fail("spread", $"minZones is {spread.MinZones} but only {zones.Count} zone(s) in service match {Describe(c)}: {string.Join(", ", zones.Select(z => z.Id))}");

        // Zones with the most free room of what the request needs most come first. Counting stops once n zones can each
        // take all n replicas: no split can need more zones than that, and the zones after them rank lower.
        var gpu = r.Gpus > 0;
        zones.Sort((a, b) => gpu ? b.FreeGpuMilli.CompareTo(a.FreeGpuMilli) : b.FreeVcpu.CompareTo(a.FreeVcpu));
        var caps = new int[zones.Count];
        var full = 0;
        var counted = zones.Count;
        for (var i = 0; i < zones.Count; i++)
        {
            caps[i] = Capacity(fleet, zones[i], r, c, n);
            if (caps[i] == n && ++full >= Math.Max(n, spread.MinZones))
            {
                counted = i + 1;
                break;
            }
        }
        if (counted < zones.Count)
        {
            zones.RemoveRange(counted, zones.Count - counted);
            Array.Resize(ref caps, counted);
        }
        var split = ZoneDistribution.Solve(caps, n, spread.MinZones, spread.MaxSkew, widest: request.Strategy != PlacementStrategy.Pack);
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
                var gpus = r.Gpus == 0 ? state.Take(r) : state.Take(r, (h, m) => Choose(scorer, h, m));
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
        if (c.Regions.Count == 0 && c.Countries.Count == 0) return [.. fleet.ZonesIn(c.Boundary)];
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
        if (zone.FreeVcpu < r.VcpuMilli || zone.FreeMemory < r.MemoryMiB || zone.FreeGpuMilli < r.TotalGpuMilli) return 0;
        var total = 0;
        var hosts = fleet.HostArray;
        var anyOwner = c.Ownership.Count == 0;
        foreach (var h in fleet.Candidates(zone, r, c.GpuModels))
        {
            var host = hosts[h];
            if (!host.Spec.Schedulable || (!anyOwner && !c.Ownership.Contains(host.Spec.Ownership))) continue;
            total += c.DistinctHosts ? (host.Fits(r) ? 1 : 0) : host.HowMany(r, limit - total);
            if (total >= limit) return limit;
        }
        return total;
    }

    internal static int BestHost(Fleet fleet, ZoneInfo zone, in Resources r, PlacementConstraints c, HashSet<int>? used, IHostScorer scorer)
    {
        var best = -1;
        var bestScore = double.MaxValue;
        var hosts = fleet.HostArray;
        var anyOwner = c.Ownership.Count == 0;
        var candidates = fleet.Candidates(zone, r, c.GpuModels);
        var budget = fleet.Options.HostsToScore > 0 ? fleet.Options.HostsToScore : int.MaxValue;
        var start = candidates.Length == 0 ? 0 : zone.ScanStart % candidates.Length;
        var scored = 0;
        for (var k = 0; k < candidates.Length && scored < budget; k++)
        {
            var i = start + k;
            if (i >= candidates.Length) i -= candidates.Length;
            var h = candidates[i];
            var host = hosts[h];
            if (!host.Spec.Schedulable || (used is not null && used.Contains(h))) continue;
            if (!anyOwner && !c.Ownership.Contains(host.Spec.Ownership)) continue;
            if (!host.Fits(r)) continue;
            scored++;
            var score = scorer.Score(host, r, c.GpuModels);
            if (score < bestScore)
            {
                bestScore = score;
                best = h;
            }
            if (scored == budget) zone.ScanStart = i + 1;
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
