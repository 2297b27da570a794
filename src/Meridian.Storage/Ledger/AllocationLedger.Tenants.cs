using System.Globalization;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Storage.Security;
using System.Data.Common;
using Meridian.Storage.Data;

namespace Meridian.Storage.Ledger;

/// <summary>Tenants and their quotas. They live in the ledger because a placement reads its tenant's quota and usage
/// inside its own transaction: two placements cannot both pass a quota that only one fits.</summary>
public sealed partial class AllocationLedger
{
    public sealed record TenantView(Tenant Tenant, long Version, DateTimeOffset CreatedAt, TenantUsage Usage);

    public async Task<TenantView> CreateTenantAsync(Tenant tenant, string actor, CancellationToken ct = default)
    {
        CheckTenant(tenant);
        return await ExclusiveAsync<TenantView>(ct, (connection, tx) =>
        {
            var now = _time.GetUtcNow();
            // Two replicas creating the same tenant at once: the second insert does nothing and is refused.
            var inserted = Sql.Execute(connection, tx, "INSERT INTO tenants (id, body, version, created_at) VALUES (@id, @body, 1, @at) ON CONFLICT (id) DO NOTHING",
                ("@id", tenant.Id), ("@body", JsonSerializer.Serialize(tenant, MeridianJson.Options)), ("@at", Sql.Text(now)));
            if (inserted == 0) throw new RegistryException(ProblemKind.Conflict, $"tenant '{tenant.Id}' already exists", [new("id", "is taken")]);
            var seq = Audit.Write(connection, tx, now, actor, "create", "tenants", tenant.Id, null, tenant);
            return (new TenantView(tenant, 1, now, TenantUsage.None), [seq], () => { });
        });
    }

    /// <summary>Replaces a tenant's description and quota with what <paramref name="change"/> makes of them. A quota
    /// may be set below the usage: it then refuses new placements, as Kubernetes' ResourceQuota does, and takes nothing away.</summary>
    public async Task<TenantView> UpdateTenantAsync(string id, long? expectedVersion, Func<Tenant, Tenant> change, string actor, CancellationToken ct = default) =>
        await ExclusiveAsync<TenantView>(ct, (connection, tx) =>
        {
            var (before, version, created, _) = ReadTenant(connection, tx, id, lockRow: true) ?? throw RegistryException.NotFound("tenant", id);
            if (expectedVersion is { } expected && expected != version)
                throw new RegistryException(ProblemKind.StaleVersion, $"tenant '{id}' is at version {version}, not {expected}");
            var after = change(before);
            if (after.Id != id) throw RegistryException.Invalid([new("id", "cannot change; create a new tenant instead")]);
            CheckTenant(after);
            Sql.Execute(connection, tx, "UPDATE tenants SET body = @body, version = @v WHERE id = @id",
                ("@id", id), ("@body", JsonSerializer.Serialize(after, MeridianJson.Options)), ("@v", version + 1));
            var seq = Audit.Write(connection, tx, _time.GetUtcNow(), actor, "update", "tenants", id, before, after);
            return (new TenantView(after, version + 1, created, UsageOf(id)), [seq], () => { });
        });

    /// <summary>Deletes a tenant that holds no workloads and has no usable member tokens.</summary>
    public async Task<bool> DeleteTenantAsync(string id, long? expectedVersion, string actor, CancellationToken ct = default) =>
        await ExclusiveAsync<bool>(ct, (connection, tx) =>
        {
            if (ReadTenant(connection, tx, id, lockRow: true) is not { } row) return (false, [], () => { });
            if (expectedVersion is { } expected && expected != row.Version)
                throw new RegistryException(ProblemKind.StaleVersion, $"tenant '{id}' is at version {row.Version}, not {expected}");
            // From the table, not memory: another replica may have placed for the tenant a moment ago (the row lock
            // above keeps it from placing more until this commits).
            var workloads = new List<string>();
            using (var cmd = Sql.Command(connection, tx, "SELECT id FROM workloads WHERE tenant = @t ORDER BY id LIMIT 10", ("@t", id)))
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read()) workloads.Add($"workloads/{r.GetString(0)}");
            }
            if (workloads.Count > 0)
                throw new RegistryException(ProblemKind.Conflict, $"tenant '{id}' still has workloads: {string.Join(", ", workloads)}; release them first",
                    workloads.Select(w => new FieldError("workloads", w)).ToArray());
            var now = Sql.Text(_time.GetUtcNow());
            using (var cmd = Sql.Command(connection, tx, "SELECT id FROM tokens WHERE tenant = @t AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)", ("@t", id), ("@now", now)))
            using (var r = cmd.ExecuteReader())
            {
                var tokens = new List<string>();
                while (r.Read()) tokens.Add($"tokens/{r.GetString(0)}");
                if (tokens.Count > 0)
                    throw new RegistryException(ProblemKind.Conflict, $"tenant '{id}' still has member tokens: {string.Join(", ", tokens)}; revoke them first");
            }
            Sql.Execute(connection, tx, "DELETE FROM tenants WHERE id = @id", ("@id", id));
            var seq = Audit.Write(connection, tx, _time.GetUtcNow(), actor, "delete", "tenants", id, row.Tenant, null);
            return (true, [seq], () => { });
        });

    public async Task<TenantView?> GetTenantAsync(string id, CancellationToken ct = default) =>
        await ReadAsync(ct, () =>
        {
            using var connection = _db.Open();
            return ReadTenant(connection, null, id, lockRow: false) is { } row ? new TenantView(row.Tenant, row.Version, row.CreatedAt, UsageOf(id)) : null;
        });

    public async Task<IReadOnlyList<TenantView>> ListTenantsAsync(CancellationToken ct = default) =>
        await ReadAsync(ct, () =>
        {
            using var connection = _db.Open();
            return (IReadOnlyList<TenantView>)ReadTenants(connection, null, null, "")
                .Select(row => new TenantView(row.Tenant, row.Version, row.CreatedAt, UsageOf(row.Tenant.Id))).ToArray();
        });

    private TenantUsage UsageOf(string tenant)
    {
        var workloads = _workloads.OfTenant(tenant).ToArray();
        return TenantUsage.Of(workloads.SelectMany(w => w.Allocations), _store.Current.World, workloads.Length);
    }

    private static void CheckTenant(Tenant tenant)
    {
        var errors = Quotas.Check(tenant);
        if (errors.Count > 0) throw RegistryException.Invalid(errors);
    }

    private (Tenant Tenant, long Version, DateTimeOffset CreatedAt, long Generation)? ReadTenant(DbConnection c, DbTransaction? tx, string id, bool lockRow) =>
        ReadTenants(c, tx, id, lockRow ? _db.ForUpdate : "").Cast<(Tenant, long, DateTimeOffset, long)?>().FirstOrDefault();

    /// <summary>One tenant, or all of them (id null), in id order.</summary>
    private static List<(Tenant Tenant, long Version, DateTimeOffset CreatedAt, long Generation)> ReadTenants(DbConnection c, DbTransaction? tx, string? id, string lockSuffix)
    {
        using var cmd = Sql.Command(c, tx, "SELECT body, version, created_at, generation FROM tenants " + (id is null ? "" : "WHERE id = @id ") + "ORDER BY id" + lockSuffix);
        if (id is not null) Sql.Add(cmd, "@id", id);
        using var r = cmd.ExecuteReader();
        var list = new List<(Tenant, long, DateTimeOffset, long)>();
        while (r.Read())
            list.Add((JsonSerializer.Deserialize<Tenant>(r.GetString(0), MeridianJson.Options)!, Sql.Int64(r, 1), Sql.Time(r, 2), Sql.Int64(r, 3)));
        return list;
    }
}
