namespace Meridian.Placement.Capacity;

/// <summary>Allocatable, used and free capacity (vCPU after over-commit, memory in GiB, GPUs) of a set of hosts.</summary>
public sealed record CapacityTotals(double Vcpu, double MemoryGiB, double Gpus)
{
    public static CapacityTotals operator +(CapacityTotals a, CapacityTotals b) => new(a.Vcpu + b.Vcpu, a.MemoryGiB + b.MemoryGiB, a.Gpus + b.Gpus);

    public static readonly CapacityTotals Zero = new(0, 0, 0);
}

public sealed record CapacityLine(string Id, int Hosts, CapacityTotals Total, CapacityTotals Used, CapacityTotals Free);

/// <summary>Capacity summed per host, zone and region over the hosts that match.</summary>
public sealed record CapacityReport(CapacityLine All, IReadOnlyList<CapacityLine> Regions, IReadOnlyList<CapacityLine> Zones, IReadOnlyList<CapacityLine> Hosts)
{
    public static CapacityReport Of(Fleet fleet, Func<HostState, bool> include, bool withHosts)
    {
        var hosts = fleet.Hosts.Where(include).ToArray();
        CapacityLine Line(string id, IEnumerable<HostState> group)
        {
            var list = group.ToArray();
            var total = CapacityTotals.Zero;
            var used = CapacityTotals.Zero;
            foreach (var h in list)
            {
                var gpuTotal = h.GpuFree.Length * h.GpuCapacityMilli / 1000.0;
                total += new CapacityTotals(h.VcpuCapacity / 1000.0, h.MemoryCapacity / 1024.0, gpuTotal);
                used += new CapacityTotals(h.VcpuUsed / 1000.0, h.MemoryUsed / 1024.0, gpuTotal - h.GpuFreeMilli / 1000.0);
            }
            return new CapacityLine(id, list.Length, total, used, new CapacityTotals(total.Vcpu - used.Vcpu, total.MemoryGiB - used.MemoryGiB, total.Gpus - used.Gpus));
        }
        return new CapacityReport(
            Line("all", hosts),
            hosts.GroupBy(h => h.Spec.RegionId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Line(g.Key, g)).ToArray(),
            hosts.GroupBy(h => h.Spec.ZoneId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Line(g.Key, g)).ToArray(),
            withHosts ? hosts.OrderBy(h => h.Spec.Id, StringComparer.Ordinal).Select(h => Line(h.Spec.Id, [h])).ToArray() : []);
    }
}

/// <summary>A region's capacity and its stranded GPUs: free GPU capacity on hosts with less than one vCPU or one GiB of
/// memory left, which no workload can use (what GPU-fragmentation-aware placement tries to avoid).</summary>
public sealed record RegionUsage(string Region, CapacityTotals Total, CapacityTotals Used, CapacityTotals Free, double StrandedGpus)
{
    /// <summary>Every region's usage, from one pass over the fleet.</summary>
    public static IReadOnlyList<RegionUsage> Of(Fleet fleet)
    {
        var stranded = fleet.Hosts.Where(h => h.VcpuFree < 1000 || h.MemoryFree < 1024)
            .GroupBy(h => h.Spec.RegionId).ToDictionary(g => g.Key, g => g.Sum(h => h.GpuFreeMilli / 1000.0), StringComparer.Ordinal);
        return CapacityReport.Of(fleet, _ => true, withHosts: false).Regions
            .Select(r => new RegionUsage(r.Id, r.Total, r.Used, r.Free, stranded.GetValueOrDefault(r.Id))).ToArray();
    }
}
