using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Placement.Model;
using Meridian.Storage.Changes;
using Meridian.Storage.Data;

namespace Meridian.Storage.Ledger;

/// <summary>Reading and writing the ledger's tables.</summary>
internal static class LedgerRows
{
    private const string AllocationColumns = "replica, host_id, zone_id, region_id, vcpu_milli, memory_mib, gpus";

    public static Dictionary<string, Workload> ReadWorkloads(DbConnection c, DbTransaction? tx)
    {
        var allocations = new Dictionary<string, List<Allocation>>(StringComparer.Ordinal);
        using (var cmd = Sql.Command(c, tx, $"SELECT workload_id, {AllocationColumns} FROM allocations ORDER BY workload_id, replica"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var list = allocations.TryGetValue(r.GetString(0), out var l) ? l : allocations[r.GetString(0)] = [];
                list.Add(ReadAllocation(r, 1));
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
                workloads[id] = new Workload(id, spec, Sql.Time(r, 2), allocations.GetValueOrDefault(id) ?? []);
            }
        }
        return workloads;
    }

    /// <summary>An allocation from the reader's columns <see cref="AllocationColumns"/>, starting at <paramref name="at"/>.</summary>
    public static Allocation ReadAllocation(DbDataReader r, int at) =>
        new(r.GetInt32(at), r.GetString(at + 1), r.GetString(at + 2), r.GetString(at + 3), r.GetInt32(at + 4), Sql.Int64(r, at + 5),
            JsonSerializer.Deserialize<GpuShare[]>(r.GetString(at + 6), MeridianJson.Options)!);

    public static Dictionary<string, long> ReadGenerations(DbConnection c, DbTransaction? tx, string table, string key)
    {
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        using var cmd = Sql.Command(c, tx, $"SELECT {key}, generation FROM {table}");
        using var r = cmd.ExecuteReader();
        while (r.Read()) map[r.GetString(0)] = Sql.Int64(r, 1);
        return map;
    }

    /// <summary>Inserts a workload and its allocations; false (and nothing written) when its tenant already has a
    /// workload of that name, which another replica may have placed since this one last caught up.</summary>
    public static bool InsertWorkload(DbConnection c, DbTransaction tx, Workload w)
    {
        var inserted = Sql.Execute(c, tx, "INSERT INTO workloads (id, tenant, name, spec, created_at) VALUES (@id, @tenant, @name, @spec, @at) " +
                                          "ON CONFLICT (tenant, name) DO NOTHING",
            ("@id", w.Id), ("@tenant", w.Spec.Tenant), ("@name", w.Spec.Name),
            ("@spec", JsonSerializer.Serialize(w.Spec, MeridianJson.Options)), ("@at", Sql.Text(w.CreatedAt)));
        if (inserted == 0) return false;
        foreach (var a in w.Allocations) InsertAllocation(c, tx, w.Id, a);
        return true;
    }

    public static void InsertAllocation(DbConnection c, DbTransaction tx, string workloadId, Allocation a) =>
        Sql.Execute(c, tx,
            $"INSERT INTO allocations (workload_id, {AllocationColumns}) VALUES (@w, @r, @h, @z, @g, @cpu, @mem, @gpus)",
            ("@w", workloadId), ("@r", a.Replica), ("@h", a.HostId), ("@z", a.ZoneId), ("@g", a.RegionId),
            ("@cpu", a.VcpuMilli), ("@mem", a.MemoryMiB), ("@gpus", JsonSerializer.Serialize(a.Gpus, MeridianJson.Options)));

    public static void DeleteWorkload(DbConnection c, DbTransaction tx, string id)
    {
        Sql.Execute(c, tx, "DELETE FROM allocations WHERE workload_id = @id", ("@id", id));
        Sql.Execute(c, tx, "DELETE FROM workloads WHERE id = @id", ("@id", id));
    }

    /// <summary>Writes a workload's change-log entry (generation 0: the ledger has no store-wide generation) and returns its number.</summary>
    public static long LogChange(DbConnection c, DbTransaction tx, DateTimeOffset at, string actor, string action, string id, Workload? before, Workload? after, string? claims) =>
        ChangeLog.Insert(c, tx, new ChangeRecord(0, at, actor, action, "workloads", id, 0, Node(before), Node(after)) { Claims = claims });

    private static JsonNode? Node(Workload? w) => w is null ? null : JsonSerializer.SerializeToNode(w, MeridianJson.Options);
}
