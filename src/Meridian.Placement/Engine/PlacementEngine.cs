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
    /// <param name="reserve">The whole-GPU reserve, if any: in a zone where the whole GPUs or whole 8-GPU hosts left are
    /// no more than the whole-GPU work the mix still expects, tasks under 8 GPUs keep off whole 8-GPU hosts, and a share
    /// that would open a whole GPU is refused (<see cref="WholeGpuReserve"/>).</param>
    public static PlacementResult Place(Fleet fleet, PlacementRequest request, IHostScorer? scorer = null, GpuReserve? reserve = null)
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
        var keepWhole = new bool[zones.Count];
        var fill = FillShare(fleet, reserve);
        var full = 0;
        var counted = zones.Count;
        for (var i = 0; i < zones.Count; i++)
        {
            keepWhole[i] = reserve is not null && reserve.Rules.KeepsWholeHosts(zones[i].GpuHostStates, r, StillToFill(zones[i], fill));
            caps[i] = Capacity(fleet, zones[i], r, c, n, keepWhole[i]);
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
        if (split is null) return CapacityFailure(fleet, zones, caps, keepWhole, request);

        var allocations = new List<Allocation>(n);
        var replica = 0;
        for (var i = 0; i < zones.Count; i++)
        {
            if (split[i] == 0) continue;
            var used = c.DistinctHosts ? new HashSet<int>() : null;
            for (var k = 0; k < split[i]; k++)
            {
                var host = BestHost(fleet, zones[i], r, c, used, scorer, keepWhole[i]);
                if (host < 0)
                {
                    // Counting and choosing use the same fit rules, so this is a bug; give everything back.
                    foreach (var a in allocations) fleet.Release(a);
                    return PlacementResult.Fail("capacity", $"zone {zones[i].Id} could not take the replicas it was counted for");
                }
                used?.Add(host);
                var state = fleet.Hosts[host];
                var pick = reserve is not null && r.IsGpuShare ? Choose(scorer, state, r.GpuMilli) : -1;
                if (pick >= 0 && reserve!.Rules.Refuses(zones[i].GpuHostStates, r, state.GpuFree[pick] >= state.GpuCapacityMilli, StillToFill(zones[i], fill)))
                {
                    foreach (var a in allocations) fleet.Release(a);
                    return PlacementResult.Fail("reserve",
                        $"a {r.GpuMilli / 1000.0:0.###}-GPU share would open a whole GPU in zone {zones[i].Id}, whose whole GPUs left are kept " +
                        "for the whole-GPU work the current mix still expects; shares of this size take a GPU of their own in the mix's best " +
                        "packing (Placement:KeepWholeGpus turns the reserve off, strategy pack or spread does not use it)");
                }
                var gpus = r.Gpus == 0 ? state.Take(r) : pick >= 0 ? state.Take(r, (_, _) => pick) : state.Take(r, (h, m) => Choose(scorer, h, m));
                allocations.Add(new Allocation(replica++, state.Spec.Id, zones[i].Id, zones[i].RegionId, r.VcpuMilli, r.MemoryMiB, gpus));
            }
        }
        return new PlacementResult(allocations, null);
    }

    /// <summary>The share of free GPU capacity that new work is expected to fill: what unmet demand does not take. Below
    /// 0 when more demand waits than there is room, as the replay's capacity less demand arrived goes below 0 after 100%.</summary>
    private static double FillShare(Fleet fleet, GpuReserve? reserve)
    {
        if (reserve is null || reserve.UnmetGpuMilli <= 0) return 1;
        long free = 0;
        foreach (var z in fleet.Zones) free += z.FreeGpuMilli;
        return free <= 0 ? 0 : 1 - (double)reserve.UnmetGpuMilli / free;
    }

    private static long StillToFill(ZoneInfo zone, double fill) => (long)(zone.FreeGpuMilli * fill);

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
    /// <param name="keepWhole">Whole 8-GPU hosts do not count (the reserve keeps them).</param>
    internal static int Capacity(Fleet fleet, ZoneInfo zone, in Resources r, PlacementConstraints c, int limit, bool keepWhole = false)
    {
        if (zone.FreeVcpu < r.VcpuMilli || zone.FreeMemory < r.MemoryMiB || zone.FreeGpuMilli < r.TotalGpuMilli) return 0;
        var total = 0;
        var hosts = fleet.HostArray;
        var anyOwner = c.Ownership.Count == 0;
        foreach (var h in fleet.Candidates(zone, r, c.GpuModels))
        {
            var host = hosts[h];
            if (!host.Spec.Schedulable || (!anyOwner && !c.Ownership.Contains(host.Spec.Ownership))) continue;
            if (keepWhole && WholeGpuReserve.IsWholeLargeHost(host)) continue;
            total += c.DistinctHosts ? (host.Fits(r) ? 1 : 0) : host.HowMany(r, limit - total);
            if (total >= limit) return limit;
        }
        return total;
    }

    internal static int BestHost(Fleet fleet, ZoneInfo zone, in Resources r, PlacementConstraints c, HashSet<int>? used, IHostScorer scorer,
        bool keepWhole = false)
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
            if (!host.Fits(r) || (keepWhole && WholeGpuReserve.IsWholeLargeHost(host))) continue;
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

    private static PlacementResult CapacityFailure(Fleet fleet, List<ZoneInfo> zones, int[] caps, bool[] keepWhole, PlacementRequest request)
    {
        var byZone = zones.Select((z, i) => (z.Id, Cap: caps[i])).ToDictionary(x => x.Id, x => x.Cap, StringComparer.Ordinal);
        var total = caps.Sum();
        var spread = request.Constraints.Spread;
        var where = string.Join(", ", byZone.Select(kv => $"{kv.Key} {kv.Value}"));
        var kept = zones.Where((z, i) => keepWhole[i]).Select(z => z.Id).ToArray();
        if (total < request.Replicas && kept.Length > 0
            && total - kept.Sum(z => byZone[z]) + kept.Sum(z => Capacity(fleet, fleet.Zone(z)!, request.PerReplica, request.Constraints, request.Replicas)) >= request.Replicas)
        {
            return PlacementResult.Fail("reserve",
                $"room for only {total} of {request.Replicas} replicas of {request.PerReplica} ({where}) besides the whole {WholeGpuReserve.LargeGpus}-GPU " +
                $"hosts of zone(s) {string.Join(", ", kept)}, which are kept for the {WholeGpuReserve.LargeGpus}-GPU work the current mix still expects " +
                "(Placement:KeepWholeGpus turns the reserve off, strategy pack or spread does not use it)", byZone);
        }
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
