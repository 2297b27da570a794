using System.Globalization;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Placement.Model;
using Meridian.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Ledger;

/// <summary>Reading and writing the ledger's tables.</summary>
internal static class LedgerRows
{
    public static Dictionary<string, Workload> ReadWorkloads(SqliteConnection c, SqliteTransaction? tx)
    {
        var allocations = new Dictionary<string, List<Allocation>>(StringComparer.Ordinal);
        using (var cmd = Sql.Command(c, tx, "SELECT workload_id, replica, host_id, zone_id, region_id, vcpu_milli, memory_mib, gpus FROM allocations ORDER BY workload_id, replica"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var gpus = JsonSerializer.Deserialize<GpuShare[]>(r.GetString(7), MeridianJson.Options)!;
                var list = allocations.TryGetValue(r.GetString(0), out var l) ? l : allocations[r.GetString(0)] = [];
                list.Add(new Allocation(r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetInt64(6), gpus));
            }
        }
        var workloads = new Dictionary<string, Workload>(StringComparer.Ordinal);
        using (var cmd = Sql.Command(c, tx, "SELECT id, spec, created_at FROM workloads"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var id = r.GetString(0);
                var spec = JsonSerializer.Deserialize<WorkloadSpec>(r.GetString(1), MeridianJson.Options)!;
                workloads[id] = new Workload(id, spec, DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture), allocations.GetValueOrDefault(id) ?? []);
            }
        }
        return workloads;
    }

    public static Dictionary<string, long> ReadHostGenerations(SqliteConnection c, SqliteTransaction? tx)
    {
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        using var cmd = Sql.Command(c, tx, "SELECT host_id, generation FROM host_generations");
        using var r = cmd.ExecuteReader();
        while (r.Read()) map[r.GetString(0)] = r.GetInt64(1);
        return map;
    }

    public static void InsertWorkload(SqliteConnection c, SqliteTransaction tx, Workload w)
    {
        Sql.Execute(c, tx, "INSERT INTO workloads (id, tenant, name, spec, created_at) VALUES ($id, $tenant, $name, $spec, $at)",
            ("$id", w.Id), ("$tenant", w.Spec.Tenant), ("$name", w.Spec.Name),
            ("$spec", JsonSerializer.Serialize(w.Spec, MeridianJson.Options)), ("$at", w.CreatedAt.ToString("O", CultureInfo.InvariantCulture)));
        foreach (var a in w.Allocations) InsertAllocation(c, tx, w.Id, a);
    }

    public static void InsertAllocation(SqliteConnection c, SqliteTransaction tx, string workloadId, Allocation a) =>
        Sql.Execute(c, tx,
            "INSERT INTO allocations (workload_id, replica, host_id, zone_id, region_id, vcpu_milli, memory_mib, gpus) " +
            "VALUES ($w, $r, $h, $z, $g, $cpu, $mem, $gpus)",
            ("$w", workloadId), ("$r", a.Replica), ("$h", a.HostId), ("$z", a.ZoneId), ("$g", a.RegionId),
            ("$cpu", a.VcpuMilli), ("$mem", a.MemoryMiB), ("$gpus", JsonSerializer.Serialize(a.Gpus, MeridianJson.Options)));

    public static void DeleteWorkload(SqliteConnection c, SqliteTransaction tx, string id)
    {
        Sql.Execute(c, tx, "DELETE FROM allocations WHERE workload_id = $id", ("$id", id));
        Sql.Execute(c, tx, "DELETE FROM workloads WHERE id = $id", ("$id", id));
    }

    /// <summary>Bumps a host's generation if it is still the one this process saw; false when another process claimed on it first.</summary>
    public static bool BumpHost(SqliteConnection c, SqliteTransaction tx, string hostId, long expected)
    {
        var changed = expected == 0
            ? Sql.Execute(c, tx, "INSERT INTO host_generations (host_id, generation) VALUES ($h, 1) ON CONFLICT (host_id) DO NOTHING", ("$h", hostId))
            : Sql.Execute(c, tx, "UPDATE host_generations SET generation = generation + 1 WHERE host_id = $h AND generation = $g", ("$h", hostId), ("$g", expected));
        return changed == 1;
    }

    public static long LedgerGeneration(SqliteConnection c, SqliteTransaction? tx) =>
        Convert.ToInt64(Sql.Scalar(c, tx, "SELECT value FROM meta WHERE key = 'ledger_generation'"), CultureInfo.InvariantCulture);

    public static void SetLedgerGeneration(SqliteConnection c, SqliteTransaction tx, long value) =>
        Sql.Execute(c, tx, "UPDATE meta SET value = $v WHERE key = 'ledger_generation'", ("$v", value));

    public static void LogChange(SqliteConnection c, SqliteTransaction tx, DateTimeOffset at, string actor, string action, string id, long generation, object? before, object? after) =>
        Sql.Execute(c, tx,
            "INSERT INTO changes (at, actor, action, kind, resource_id, generation, before, after) VALUES ($at, $actor, $action, 'workloads', $id, $gen, $before, $after)",
            ("$at", at.ToString("O", CultureInfo.InvariantCulture)), ("$actor", actor), ("$action", action), ("$id", id), ("$gen", generation),
            ("$before", before is null ? null : JsonSerializer.Serialize(before, MeridianJson.Options)),
            ("$after", after is null ? null : JsonSerializer.Serialize(after, MeridianJson.Options)));
}
