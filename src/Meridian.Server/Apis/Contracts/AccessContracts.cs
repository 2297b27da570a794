using System.Text.Json.Serialization;
using Meridian.Server.Security;
using Meridian.Storage.Ledger;
using Meridian.Storage.Security;

namespace Meridian.Server.Apis.Contracts;

/// <summary>An API token as admins see it; <see cref="Token"/>, the secret, is in the answer to its creation only.</summary>
public sealed record TokenView(
    string Id, string Name, string Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Tenant,
    DateTimeOffset CreatedAt, string CreatedBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastUsedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? RevokedAt,
    string? Token = null)
{
    public static TokenView Of(ApiToken t, string? secret = null) =>
        new(t.Id, t.Name, t.Role.Name(), t.Tenant, t.CreatedAt, t.CreatedBy, t.ExpiresAt, t.LastUsedAt, t.RevokedAt, secret);
}

/// <summary>Who the caller is.</summary>
public sealed record MeView(
    string Actor, string Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Tenant,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? TokenId);

/// <summary>A tenant, its quota and what its workloads hold now.</summary>
public sealed record TenantView(string Id, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Description, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] TenantQuota? Quota, DateTimeOffset CreatedAt, TenantUsage Usage)
{
    public static TenantView Of(AllocationLedger.TenantView v) => new(v.Tenant.Id, v.Tenant.Description, v.Tenant.Quota, v.CreatedAt, v.Usage);
}
