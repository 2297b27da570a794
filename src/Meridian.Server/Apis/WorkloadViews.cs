using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;

namespace Meridian.Server.Apis;

/// <summary>JSON shapes of workloads, capacity and drain plans.</summary>
internal static class WorkloadViews
{
    public static JsonObject Of(Workload w)
    {
        var node = JsonSerializer.SerializeToNode(w.Spec, MeridianJson.Options)!.AsObject();
        node.Insert(0, "id", w.Id);
        node["createdAt"] = w.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        node["allocations"] = new JsonArray(w.Allocations.Select(a => (JsonNode)Of(a)).ToArray());
        return node;
    }

    public static JsonObject Of(Allocation a)
    {
        var node = new JsonObject
        {
            ["replica"] = a.Replica,
            ["host"] = a.HostId,
            ["zone"] = a.ZoneId,
            ["region"] = a.RegionId,
            ["vcpu"] = a.VcpuMilli / 1000.0,
            ["memoryGiB"] = a.MemoryMiB / 1024.0,
        };
        if (a.Gpus.Count > 0)
            node["gpus"] = new JsonArray(a.Gpus.Select(g => (JsonNode)new JsonObject { ["index"] = g.Index, ["share"] = g.Milli / 1000.0 }).ToArray());
        return node;
    }

    public static JsonObject Of(CapacityReport report)
    {
        var node = new JsonObject
        {
            ["all"] = Of(report.All),
            ["regions"] = new JsonArray(report.Regions.Select(l => (JsonNode)Of(l)).ToArray()),
            ["zones"] = new JsonArray(report.Zones.Select(l => (JsonNode)Of(l)).ToArray()),
        };
        if (report.Hosts.Count > 0) node["hosts"] = new JsonArray(report.Hosts.Select(l => (JsonNode)Of(l)).ToArray());
        return node;
    }

    private static JsonObject Of(CapacityLine l) => new()
    {
        ["id"] = l.Id,
        ["hosts"] = l.Hosts,
        ["total"] = Of(l.Total),
        ["used"] = Of(l.Used),
        ["free"] = Of(l.Free),
    };

    private static JsonObject Of(CapacityTotals t) => new()
    {
        ["vcpu"] = Math.Round(t.Vcpu, 3),
        ["memoryGiB"] = Math.Round(t.MemoryGiB, 3),
        ["gpus"] = Math.Round(t.Gpus, 3),
    };

    public static JsonObject Of(DrainPlan plan, bool applied, string status, int remaining) => new()
    {
        ["facility"] = plan.FacilityId,
        ["status"] = status,
        ["applied"] = applied,
        ["moves"] = new JsonArray(plan.Moves.Select(m => (JsonNode)new JsonObject
        {
            ["workload"] = m.WorkloadId,
            ["replica"] = m.Replica,
            ["from"] = m.FromHost,
            ["to"] = Of(m.To),
        }).ToArray()),
        ["stuck"] = new JsonArray(plan.Stuck.Select(s => (JsonNode)new JsonObject
        {
            ["workload"] = s.WorkloadId,
            ["replica"] = s.Replica,
            ["host"] = s.Host,
            ["reason"] = s.Reason,
        }).ToArray()),
        ["remaining"] = remaining,
    };
}
