using Meridian.Placement.Model;

namespace Meridian.Placement.Capacity;

/// <summary>Allocatable, used and free capacity (vCPU after over-commit, memory in GiB, GPUs) of a set of hosts.</summary>
public sealed record CapacityTotals(double Vcpu, double MemoryGiB, double Gpus)
{
    public static CapacityTotals operator +(CapacityTotals a, CapacityTotals b) => new(a.Vcpu + b.Vcpu, a.MemoryGiB + b.MemoryGiB, a.Gpus + b.Gpus);

    public static readonly CapacityTotals Zero = new(0, 0, 0);
}

/// <param name="StrandedGpus">Free GPUs on hosts where no task of the recent mix fits (<see cref="Stranded"/>).</param>
public sealed record CapacityLine(string Id, int Hosts, CapacityTotals Total, CapacityTotals Used, CapacityTotals Free, double StrandedGpus = 0);

/// <summary>Capacity summed per host, zone and region over the hosts that match.</summary>
public sealed record CapacityReport(CapacityLine All, IReadOnlyList<CapacityLine> Regions, IReadOnlyList<CapacityLine> Zones, IReadOnlyList<CapacityLine> Hosts)
{
    /// <param name="mix">GPU task classes placed now (per-replica resources, allowed models), for stranded GPUs; by
    /// default the smallest GPU task.</param>
    public static CapacityReport Of(Fleet fleet, Func<HostState, bool> include, bool withHosts,
        IReadOnlyList<(Resources Resources, IReadOnlyList<string> GpuModels)>? mix = null)
    {
        var hosts = fleet.Hosts.Where(include).ToArray();
        mix ??= [(Scoring.WorkloadMix.SmallestGpuTask, [])];
        CapacityLine Line(string id, IEnumerable<HostState> group)
        {
            var list = group.ToArray();
            var total = CapacityTotals.Zero;
            var used = CapacityTotals.Zero;
            double stranded = 0;
            foreach (var h in list)
            {
                var gpuTotal = h.GpuFree.Length * h.GpuCapacityMilli / 1000.0;
                total += new CapacityTotals(h.VcpuCapacity / 1000.0, h.MemoryCapacity / 1024.0, gpuTotal);
                used += new CapacityTotals(h.VcpuUsed / 1000.0, h.MemoryUsed / 1024.0, gpuTotal - h.GpuFreeMilli / 1000.0);
                stranded += Stranded(h, mix);
            }
            return new CapacityLine(id, list.Length, total, used, new CapacityTotals(total.Vcpu - used.Vcpu, total.MemoryGiB - used.MemoryGiB, total.Gpus - used.Gpus),
                Math.Round(stranded, 3));
        }
        return new CapacityReport(
            Line("all", hosts),
            hosts.GroupBy(h => h.Spec.RegionId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Line(g.Key, g)).ToArray(),
            hosts.GroupBy(h => h.Spec.ZoneId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Line(g.Key, g)).ToArray(),
            withHosts ? hosts.OrderBy(h => h.Spec.Id, StringComparer.Ordinal).Select(h => Line(h.Spec.Id, [h])).ToArray() : []);
    }

    /// <summary>A host's free GPUs (in GPUs) when no class of the mix fits on it, CPU, memory and GPU model included;
    /// else 0. A host that takes no new work (draining) strands nothing: it is leaving.</summary>
    public static double Stranded(HostState h, IReadOnlyList<(Resources Resources, IReadOnlyList<string> GpuModels)> mix)
    {
        if (h.GpuFreeMilli <= 0 || !h.Spec.Schedulable) return 0;
        foreach (var (r, models) in mix)
        {
            if (models.Count > 0 && (h.Spec.GpuModel is null || !models.Contains(h.Spec.GpuModel))) continue;
            if (h.Fits(r)) return 0;
        }
        return h.GpuFreeMilli / 1000.0;
    }
}

/// <summary>A region's capacity and its stranded GPUs: free GPUs on hosts where no task of the recent mix fits (what
/// fragmentation-aware placement tries to avoid).</summary>
public sealed record RegionUsage(string Region, CapacityTotals Total, CapacityTotals Used, CapacityTotals Free, double StrandedGpus)
{
    /// <summary>Every region's usage, from one pass over the fleet.</summary>
    public static IReadOnlyList<RegionUsage> Of(Fleet fleet, IReadOnlyList<(Resources Resources, IReadOnlyList<string> GpuModels)>? mix = null) =>
        CapacityReport.Of(fleet, _ => true, withHosts: false, mix).Regions
            .Select(r => new RegionUsage(r.Id, r.Total, r.Used, r.Free, r.StrandedGpus)).ToArray();
}
