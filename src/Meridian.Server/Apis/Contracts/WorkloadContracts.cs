using System.Text.Json.Serialization;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;

namespace Meridian.Server.Apis.Contracts;

/// <summary>A placed workload: what was asked for and where each replica runs.</summary>
public sealed record WorkloadView(
    string Id, string Tenant, string Name, int Replicas, ResourceSpec Resources, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ConstraintSpec? Constraints, PlacementStrategy Strategy,
    DateTimeOffset CreatedAt, IReadOnlyList<AllocationView> Allocations)
{
    public static WorkloadView Of(Workload w) => new(w.Id, w.Spec.Tenant, w.Spec.Name, w.Spec.Replicas, w.Spec.Resources, w.Spec.Constraints,
        w.Spec.EffectiveStrategy, w.CreatedAt, [.. w.Allocations.Select(AllocationView.Of)]);
}

/// <summary>One replica on one host; <see cref="Gpus"/> lists the GPUs it holds and the share of each.</summary>
public sealed record AllocationView(int Replica, string Host, string Zone, string Region, double Vcpu, double MemoryGiB, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] IReadOnlyList<GpuShareView>? Gpus)
{
    public static AllocationView Of(Allocation a) => new(a.Replica, a.HostId, a.ZoneId, a.RegionId, a.VcpuMilli / 1000.0, a.MemoryMiB / 1024.0,
        a.Gpus.Count > 0 ? [.. a.Gpus.Select(g => new GpuShareView(g.Index, g.Milli / 1000.0))] : null);
}

public sealed record GpuShareView(int Index, double Share);

/// <summary>Capacity of the hosts in service: in all, per region, per zone and (when asked) per host.</summary>
public sealed record CapacityView(CapacityLineView All, IReadOnlyList<CapacityLineView> Regions, IReadOnlyList<CapacityLineView> Zones, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] IReadOnlyList<CapacityLineView>? Hosts)
{
    public static CapacityView Of(CapacityReport r) => new(CapacityLineView.Of(r.All), [.. r.Regions.Select(CapacityLineView.Of)],
        [.. r.Zones.Select(CapacityLineView.Of)], r.Hosts.Count > 0 ? [.. r.Hosts.Select(CapacityLineView.Of)] : null);
}

/// <param name="StrandedGpus">Free GPUs on hosts where no task of the workloads placed now fits (CPU, memory and GPU
/// model included; the smallest GPU task, 1 vCPU, 1 GiB and a tenth of a GPU, while none is placed).</param>
public sealed record CapacityLineView(string Id, int Hosts, CapacityTotalsView Total, CapacityTotalsView Used, CapacityTotalsView Free, double StrandedGpus)
{
    public static CapacityLineView Of(CapacityLine l) => new(l.Id, l.Hosts, CapacityTotalsView.Of(l.Total), CapacityTotalsView.Of(l.Used), CapacityTotalsView.Of(l.Free),
        Math.Round(l.StrandedGpus, 3));
}

public sealed record CapacityTotalsView(double Vcpu, double MemoryGiB, double Gpus)
{
    public static CapacityTotalsView Of(CapacityTotals t) => new(Math.Round(t.Vcpu, 3), Math.Round(t.MemoryGiB, 3), Math.Round(t.Gpus, 3));
}

/// <summary>A drain plan, or what applying it did: the moves, the replicas that cannot move, and how many remain.</summary>
public sealed record DrainView(string Facility, string Status, bool Applied, IReadOnlyList<DrainMoveView> Moves, IReadOnlyList<DrainStuckView> Stuck, int Remaining)
{
    public static DrainView Of(DrainPlan plan, bool applied, string status, int remaining) => new(plan.FacilityId, status, applied,
        [.. plan.Moves.Select(m => new DrainMoveView(m.WorkloadId, m.Replica, m.FromHost, AllocationView.Of(m.To)))],
        [.. plan.Stuck.Select(s => new DrainStuckView(s.WorkloadId, s.Replica, s.Host, s.Reason))], remaining);
}

public sealed record DrainMoveView(string Workload, int Replica, string From, AllocationView To);

public sealed record DrainStuckView(string Workload, int Replica, string Host, string Reason);
