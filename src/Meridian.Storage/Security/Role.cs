namespace Meridian.Storage.Security;

/// <summary>What a token may do, Kubernetes/Keystone style. Viewer, Operator and Admin are cumulative; a Member
/// works only inside its tenant.</summary>
public enum Role
{
    /// <summary>Places, reads and releases its tenant's workloads; reads capacity and its tenant's usage.</summary>
    Member,

    /// <summary>Reads everything but tokens.</summary>
    Viewer,

    /// <summary>Viewer, plus footprint writes, lifecycle transitions, drains, health overrides and plans.</summary>
    Operator,

    /// <summary>Everything: tokens, tenants, world import, service endpoints, workloads of any tenant.</summary>
    Admin,
}

public static class Roles
{
    /// <summary>True when <paramref name="held"/> may do what <paramref name="needed"/> may. Member is not part of the ladder.</summary>
    public static bool Covers(this Role held, Role needed) =>
        held == needed || (held != Role.Member && needed != Role.Member && held >= needed);

    public static string Name(this Role role) => role.ToString().ToLowerInvariant();

    public static Role? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "member" => Role.Member,
        "viewer" => Role.Viewer,
        "operator" => Role.Operator,
        "admin" => Role.Admin,
        _ => null,
    };
}
