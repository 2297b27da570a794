using System.Globalization;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Storage.Security;
using Meridian.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Ledger;

/// <summary>Tenants and their quotas. They live in the ledger because a placement reads its tenant's quota and usage
/// inside its own transaction: two placements cannot both pass a quota that only one fits.</summary>
public sealed partial class SqliteLedger
{
    public sealed record TenantView(Tenant Tenant, long Version, DateTimeOffset CreatedAt, TenantUsage Usage);

    public async Task<TenantView> CreateTenantAsync(Tenant tenant, string actor, CancellationToken ct = default)
    {
        CheckTenant(tenant);
        return await WriteAsync<TenantView>(ct, (connection, tx, generation) =>
        {
            if (ReadTenant(connection, tx, tenant.Id) is not null)
                throw new RegistryException(ProblemKind.Conflict, $"tenant '{tenant.Id}' already exists", [new("id", "is taken")]);
            var now = _time.GetUtcNow();
            Sql.Execute(connection, tx, "INSERT INTO tenants (id, body, version, created_at) VALUES ($id, $body, $v, $at)",
                ("$id", tenant.Id), ("$body", JsonSerializer.Serialize(tenant, MeridianJson.Options)), ("$v", generation), ("$at", now.ToString("O", CultureInfo.InvariantCulture)));
            Audit.Write(connection, tx, now, actor, "create", "tenants", tenant.Id, null, tenant);
            return (new TenantView(tenant, generation, now, TenantUsage.None), () => { });
        });
    }

    /// <summary>Replaces a tenant's description and quota with what <paramref name="change"/> makes of them. A quota
    /// may be set below the usage: it then refuses new placements, as Kubernetes' ResourceQuota does, and takes nothing away.</summary>
    public async Task<TenantView> UpdateTenantAsync(string id, long? expectedVersion, Func<Tenant, Tenant> change, string actor, CancellationToken ct = default) =>
        await WriteAsync<TenantView>(ct, (connection, tx, generation) =>
        {
            var (before, version, created) = ReadTenant(connection, tx, id) ?? throw RegistryException.NotFound("tenant", id);
            if (expectedVersion is { } expected && expected != version)
                throw new RegistryException(ProblemKind.StaleVersion, $"tenant '{id}' is at version {version}, not {expected}");
            var after = change(before);
            if (after.Id != id) throw RegistryException.Invalid([new("id", "cannot change; create a new tenant instead")]);
            CheckTenant(after);
            Sql.Execute(connection, tx, "UPDATE tenants SET body = $body, version = $v WHERE id = $id",
                ("$id", id), ("$body", JsonSerializer.Serialize(after, MeridianJson.Options)), ("$v", generation));
            Audit.Write(connection, tx, _time.GetUtcNow(), actor, "update", "tenants", id, before, after);
            return (new TenantView(after, generation, created, UsageOf(id)), () => { });
        });

    /// <summary>Deletes a tenant that holds no workloads and has no usable member tokens.</summary>
    public async Task<bool> DeleteTenantAsync(string id, long? expectedVersion, string actor, CancellationToken ct = default) =>
        await WriteAsync<bool>(ct, (connection, tx, generation) =>
        {
            if (ReadTenant(connection, tx, id) is not { } row) return (false, () => { });
            if (expectedVersion is { } expected && expected != row.Version)
                throw new RegistryException(ProblemKind.StaleVersion, $"tenant '{id}' is at version {row.Version}, not {expected}");
            var workloads = _workloads.Values.Where(w => w.Spec.Tenant == id).Select(w => $"workloads/{w.Id}").Take(10).ToArray();
            if (workloads.Length > 0)
                throw new RegistryException(ProblemKind.Conflict, $"tenant '{id}' still has workloads: {string.Join(", ", workloads)}; release them first",
                    workloads.Select(w => new FieldError("workloads", w)).ToArray());
            var now = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            using (var cmd = Sql.Command(connection, tx, "SELECT id FROM tokens WHERE tenant = $t AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $now)", ("$t", id), ("$now", now)))
            using (var r = cmd.ExecuteReader())
            {
                var tokens = new List<string>();
                while (r.Read()) tokens.Add($"tokens/{r.GetString(0)}");
                if (tokens.Count > 0)
                    throw new RegistryException(ProblemKind.Conflict, $"tenant '{id}' still has member tokens: {string.Join(", ", tokens)}; revoke them first");
            }
            Sql.Execute(connection, tx, "DELETE FROM tenants WHERE id = $id", ("$id", id));
            Audit.Write(connection, tx, _time.GetUtcNow(), actor, "delete", "tenants", id, row.Tenant, null);
            return (true, () => { });
        });

    public async Task<TenantView?> GetTenantAsync(string id, CancellationToken ct = default) =>
        await ReadAsync(ct, () => ReadTenant(Connection(), null, id) is { } row ? new TenantView(row.Tenant, row.Version, row.CreatedAt, UsageOf(id)) : null);

    public async Task<IReadOnlyList<TenantView>> ListTenantsAsync(CancellationToken ct = default) =>
        await ReadAsync(ct, () => (IReadOnlyList<TenantView>)ReadTenants(Connection(), null, null)
            .Select(row => new TenantView(row.Tenant, row.Version, row.CreatedAt, UsageOf(row.Tenant.Id))).ToArray());

    private TenantUsage UsageOf(string tenant)
    {
        var workloads = _workloads.Values.Where(w => w.Spec.Tenant == tenant).ToArray();
        return TenantUsage.Of(workloads.SelectMany(w => w.Allocations), _store.Current.World, workloads.Length);
    }

    private static void CheckTenant(Tenant tenant)
    {
        var errors = Quotas.Check(tenant);
        if (errors.Count > 0) throw RegistryException.Invalid(errors);
    }

    private static (Tenant Tenant, long Version, DateTimeOffset CreatedAt)? ReadTenant(SqliteConnection c, SqliteTransaction? tx, string id) =>
        ReadTenants(c, tx, id).Cast<(Tenant, long, DateTimeOffset)?>().FirstOrDefault();

    /// <summary>One tenant, or all of them (id null), in id order.</summary>
    private static List<(Tenant Tenant, long Version, DateTimeOffset CreatedAt)> ReadTenants(SqliteConnection c, SqliteTransaction? tx, string? id)
    {
        using var cmd = Sql.Command(c, tx, "SELECT body, version, created_at FROM tenants WHERE ($id IS NULL OR id = $id) ORDER BY id", ("$id", id));
        using var r = cmd.ExecuteReader();
        var list = new List<(Tenant, long, DateTimeOffset)>();
        while (r.Read())
            list.Add((JsonSerializer.Deserialize<Tenant>(r.GetString(0), MeridianJson.Options)!, r.GetInt64(1), DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture)));
        return list;
    }
}
