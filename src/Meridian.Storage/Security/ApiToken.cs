namespace Meridian.Storage.Security;

/// <summary>An API token as stored: never its secret, only who it is and what it may do.</summary>
public sealed record ApiToken(
    string Id,
    string Name,
    Role Role,
    string? Tenant,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public bool ActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    /// <summary>How the change log names the holder: the token's name and id.</summary>
    public string Actor => $"{Name} (token {Id})";
}

/// <summary>What a new token is to be.</summary>
public sealed record TokenRequest(string Name, Role Role, string? Tenant = null, DateTimeOffset? ExpiresAt = null);
