using System.Globalization;
using System.Text.Json;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Storage.Changes;
using Meridian.Storage.Data;
using System.Data.Common;

namespace Meridian.Storage.Ledger;

/// <summary>Keeps the registry from breaking the ledger, as OpenStack Placement refuses to shrink inventory in use: a
/// write that deletes a host holding replicas, moves it to another zone or facility, changes its GPU model, shrinks it
/// below what its replicas hold (or removes a GPU one holds), or closes the facility, zone or region it is in, is
/// refused with 409 naming the workloads. It runs inside the registry write's transaction and first claims the hosts
/// (<see cref="Claims"/>), so a placement by another process cannot slip between check and write, and one decided on the
/// old world fails its compare-and-swap.</summary>
internal static class AllocationGuard
{
    /// <summary>Returns the claims (new host generations) to record with the write, or null when it touches no host.</summary>
    public static string? Check(DbConnection c, DbTransaction tx, Database db, World before, World after, IReadOnlyList<Change> changes, PlacementOptions options)
    {
        var hosts = AffectedHosts(before, after, changes);
        if (hosts.Count == 0) return null;
        var generations = Claims.LockHosts(c, tx, db, hosts);
        var allHeld = Held(c, tx, hosts);
        var errors = new List<FieldError>();
        var closing = false;
        foreach (var hostId in hosts)
        {
            if (!allHeld.TryGetValue(hostId, out var held)) continue;
            if (Problem(before.Hosts.Find(hostId)!, after, held, options) is { } problem)
            {
                var workloads = held.Select(h => h.WorkloadId).Distinct(StringComparer.Ordinal).ToArray();
                var names = string.Join(", ", workloads.Take(10)) + (workloads.Length > 10 ? $" and {workloads.Length - 10} more" : "");
                errors.Add(new FieldError($"hosts/{hostId}", $"{problem}; it holds {held.Count} replica(s) of {names}"));
                closing |= problem.Contains("would close", StringComparison.Ordinal);
            }
            if (errors.Count == 20) break;
        }
        if (closing) errors.Insert(0, new FieldError("status", "drain it first: POST /api/v1/facilities/{id}/drain?apply=true moves its replicas"));
        if (errors.Count > 0)
            throw new RegistryException(ProblemKind.Conflict,
                "the change would take capacity from replicas that hold it; drain or release them first (POST /api/v1/facilities/{id}/drain?apply=true, DELETE /api/v1/workloads/{id})",
                errors);
        var bumped = generations.ToDictionary(g => g.Key, g => g.Value + 1, StringComparer.Ordinal);
        Claims.SetHosts(c, tx, bumped);
        return Claims.Json(bumped, null);
    }

    /// <summary>Hosts whose record changes or is deleted, and hosts under a facility, zone or region that is deleted or closes.</summary>
    private static SortedSet<string> AffectedHosts(World before, World after, IReadOnlyList<Change> changes)
    {
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        HashSet<string>? facilities = null, zones = null, regions = null;
        foreach (var change in changes)
        {
            if (change.Before is null) continue;
            if (change.Kind == Kinds.Hosts)
            {
                hosts.Add(change.Id);
                continue;
            }
            var closes = change.After is null || change.After is ILifecycleResource r && LifecycleRules.Current(r.History) == LifecycleStatus.Closed;
            if (!closes) continue;
            if (change.Kind == Kinds.Facilities) (facilities ??= []).Add(change.Id);
            else if (change.Kind == Kinds.Zones) (zones ??= []).Add(change.Id);
            else if (change.Kind == Kinds.Regions) (regions ??= []).Add(change.Id);
        }
        if (facilities is null && zones is null && regions is null) return hosts;
        foreach (var host in before.Hosts.Values)
        {
            var regionId = before.Zones.Find(host.ZoneId)?.RegionId;
            if (facilities?.Contains(host.FacilityId) == true || zones?.Contains(host.ZoneId) == true || (regionId is not null && regions?.Contains(regionId) == true))
                hosts.Add(host.Id);
        }
        return hosts;
    }

    /// <summary>Why the host's replicas would no longer hold in <paramref name="after"/>, or null.</summary>
    private static string? Problem(Host old, World after, IReadOnlyList<(string WorkloadId, Allocation Allocation)> held, PlacementOptions options)
    {
        if (after.Hosts.Find(old.Id) is not { } host) return $"host '{old.Id}' would be deleted";
        if (host.ZoneId != old.ZoneId || host.FacilityId != old.FacilityId) return $"host '{old.Id}' would move to another zone or facility";
        if (host.GpuModel != old.GpuModel) return $"host '{old.Id}' would change its GPU model";
        var facility = after.Facilities.Find(host.FacilityId);
        var zone = after.Zones.Find(host.ZoneId);
        var region = zone is null ? null : after.Regions.Find(zone.RegionId);
        foreach (var (kind, resource) in new (string, ILifecycleResource?)[] { ("facility", facility), ("zone", zone), ("region", region) })
        {
            if (resource is null) return $"its {kind} would be deleted";
            if (LifecycleRules.Current(resource.History) == LifecycleStatus.Closed) return $"its {kind} '{resource.Id}' would close";
        }
        var fleet = new Fleet([HostSpec.Of(host, region!, facility!)], options);
        var state = fleet.Host(host.Id)!;
        foreach (var (_, a) in held)
        {
            if (fleet.Restore(a)) continue;
            var vcpu = held.Sum(h => (long)h.Allocation.VcpuMilli) / 1000.0;
            var memory = held.Sum(h => h.Allocation.MemoryMiB) / 1024.0;
            var gpus = held.SelectMany(h => h.Allocation.Gpus).Select(g => g.Index).Distinct().Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture,
                $"host '{host.Id}' would be smaller than its replicas: they hold {vcpu:0.###} vCPU, {memory:0.###} GiB{(gpus.Length > 0 ? $" and GPUs {string.Join(",", gpus)}" : "")}; " +
                $"it would allocate {state.VcpuCapacity / 1000.0:0.###} vCPU, {state.MemoryCapacity / 1024.0:0.###} GiB and {host.Gpus} GPU(s)");
        }
        return null;
    }

    private static Dictionary<string, List<(string WorkloadId, Allocation Allocation)>> Held(DbConnection c, DbTransaction tx, IEnumerable<string> hostIds)
    {
        var map = new Dictionary<string, List<(string, Allocation)>>(StringComparer.Ordinal);
        foreach (var chunk in hostIds.Chunk(400))
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT workload_id, replica, host_id, zone_id, region_id, vcpu_milli, memory_mib, gpus FROM allocations " +
                              $"WHERE host_id IN ({Sql.InList(cmd, "h", chunk)}) ORDER BY workload_id, replica";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var a = LedgerRows.ReadAllocation(r, 1);
                (map.TryGetValue(a.HostId, out var l) ? l : map[a.HostId] = []).Add((r.GetString(0), a));
            }
        }
        return map;
    }
}
