using System.Security.Claims;
using Meridian.Core.Validation;
using Meridian.Storage.Security;

namespace Meridian.Server.Security;

/// <summary>Who is calling, from the authenticated principal: the change log's actor, the role and a member's tenant.</summary>
public sealed record Caller(string Actor, Role Role, string? Tenant, string? TokenId)
{
    public const string RoleClaim = "meridian:role";
    public const string TenantClaim = "meridian:tenant";
    public const string ActorClaim = "meridian:actor";
    public const string TokenClaim = "meridian:token";

    /// <summary>Admins may name someone they act for; it is recorded as impersonation.</summary>
    public const string ImpersonationHeader = "X-Meridian-Actor";

    public static Caller? Find(HttpContext http)
    {
        var user = http.User;
        if (user.Identity?.IsAuthenticated != true) return null;
        var role = Roles.Parse(user.FindFirstValue(RoleClaim));
        return role is null ? null : new Caller(user.FindFirstValue(ActorClaim) ?? "unknown", role.Value, user.FindFirstValue(TenantClaim), user.FindFirstValue(TokenClaim));
    }

    /// <summary>The caller of an endpoint that requires authentication (the authorization middleware has run).</summary>
    public static Caller Of(HttpContext http) => Find(http) ?? throw new InvalidOperationException("no authenticated caller on an endpoint that requires one");

    /// <summary>The actor a write is recorded under: the principal, or "{principal} as {name}" when an admin impersonates.</summary>
    public static string ActorOf(HttpContext http)
    {
        var caller = Of(http);
        var claimed = http.Request.Headers[ImpersonationHeader].ToString();
        if (claimed.Length == 0) return caller.Actor;
        if (caller.Role != Role.Admin)
            throw new RegistryException(ProblemKind.Forbidden, $"only admins may act for someone else; leave out {ImpersonationHeader}", [new(ImpersonationHeader, "is for admins")]);
        var problem = claimed.Trim().Length == 0 ? "is empty" : claimed.Length > 100 ? "is longer than 100 characters" : SafeText.Problem(claimed);
        if (problem is not null) throw RegistryException.Malformed(new FieldError(ImpersonationHeader, problem));
        return $"{caller.Actor} as {claimed.Trim()}";
    }

    public static ClaimsPrincipal Principal(string scheme, string actor, Role role, string? tenant, string? tokenId)
    {
        var claims = new List<Claim> { new(ActorClaim, actor), new(RoleClaim, role.Name()), new(ClaimTypes.Name, actor) };
        if (tenant is not null) claims.Add(new(TenantClaim, tenant));
        if (tokenId is not null) claims.Add(new(TokenClaim, tokenId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, RoleClaim));
    }
}
