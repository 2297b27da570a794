using Meridian.Storage.Security;
using Microsoft.AspNetCore.Authorization;

namespace Meridian.Server.Security;

/// <summary>The roles an endpoint admits, as endpoint metadata: the authorization policy checks it, the OpenAPI document
/// carries it (x-meridian-roles), and docs/api.md lists it.</summary>
public sealed record AccessRule(IReadOnlyList<Role> Roles)
{
    public bool Admits(Role role) => Roles.Any(r => role.Covers(r));

    public string Names => string.Join(" or ", Roles.Select(r => r.Name()));
}

public static class Access
{
    /// <summary>Admits callers whose role covers one of <paramref name="roles"/> (admin covers operator covers viewer;
    /// member only itself).</summary>
    public static TBuilder Allow<TBuilder>(this TBuilder builder, params Role[] roles) where TBuilder : IEndpointConventionBuilder
    {
        var rule = new AccessRule(roles);
        builder.WithMetadata(rule);
        return builder.RequireAuthorization(new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireAssertion(ctx => Roles.Parse(ctx.User.FindFirst(Caller.RoleClaim)?.Value) is { } role && rule.Admits(role))
            .Build());
    }
}
