using System.Data.Common;
using System.Text.Json;
using Meridian.Storage.Data;

namespace Meridian.Storage.Ledger;

/// <summary>Resource-provider generations, as in OpenStack Placement: every write that takes or changes a host's
/// capacity bumps the host's generation, and every placement bumps its tenant's. A writer locks the rows (in id order,
/// hosts before tenants, so two writers cannot wait on each other), compares them with the generations its decision was
/// based on, and writes only if they still match; the new generations travel in the change log (<c>claims</c>) so other
/// replicas learn them as they catch up.</summary>
internal static class Claims
{
    private const int Chunk = 400;

    /// <summary>Locks the hosts' generation rows (creating missing ones at 0) and returns their generations.</summary>
    public static Dictionary<string, long> LockHosts(DbConnection c, DbTransaction tx, Database db, IEnumerable<string> hostIds)
    {
        var hosts = hostIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in hosts.Chunk(Chunk))
        {
            using (var insert = c.CreateCommand())
            {
                insert.Transaction = tx;
                var values = string.Join(", ", chunk.Select((h, i) => { Sql.Add(insert, $"@h{i}", h); return $"(@h{i}, 0)"; }));
                insert.CommandText = $"INSERT INTO host_generations (host_id, generation) VALUES {values} ON CONFLICT (host_id) DO NOTHING";
                insert.ExecuteNonQuery();
            }
            using var select = c.CreateCommand();
            select.Transaction = tx;
            select.CommandText = $"SELECT host_id, generation FROM host_generations WHERE host_id IN ({Sql.InList(select, "h", chunk)}) ORDER BY host_id{db.ForUpdate}";
            using var r = select.ExecuteReader();
            while (r.Read()) found[r.GetString(0)] = Sql.Int64(r, 1);
        }
        return found;
    }

    /// <summary>Locks a tenant's row and returns its generation, or null when there is no such tenant.</summary>
    public static long? LockTenant(DbConnection c, DbTransaction tx, Database db, string tenant) =>
        Sql.Scalar(c, tx, $"SELECT generation FROM tenants WHERE id = @t{db.ForUpdate}", ("@t", tenant)) is { } g
            ? Convert.ToInt64(g, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Sets the hosts' (locked) rows to their new generations.</summary>
    public static void SetHosts(DbConnection c, DbTransaction tx, IReadOnlyDictionary<string, long> generations)
    {
        foreach (var (host, generation) in generations.OrderBy(g => g.Key, StringComparer.Ordinal))
            Sql.Execute(c, tx, "UPDATE host_generations SET generation = @g WHERE host_id = @h", ("@g", generation), ("@h", host));
    }

    public static void SetTenant(DbConnection c, DbTransaction tx, string tenant, long generation) =>
        Sql.Execute(c, tx, "UPDATE tenants SET generation = @g WHERE id = @t", ("@g", generation), ("@t", tenant));

    public sealed record Set(Dictionary<string, long>? H, Dictionary<string, long>? T);

    public static string? Json(IReadOnlyDictionary<string, long>? hosts, IReadOnlyDictionary<string, long>? tenants) =>
        (hosts is null || hosts.Count == 0) && (tenants is null || tenants.Count == 0)
            ? null
            : JsonSerializer.Serialize(new Set(hosts?.Count > 0 ? new(hosts) : null, tenants?.Count > 0 ? new(tenants) : null));

    public static Set? Parse(string? json) => json is null ? null : JsonSerializer.Deserialize<Set>(json);
}
