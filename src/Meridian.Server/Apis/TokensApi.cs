using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Server.Apis.Contracts;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;

namespace Meridian.Server.Apis;

/// <summary>/api/v1/tokens (admins): create, list, read and revoke API tokens; /api/v1/me: who the caller is.</summary>
internal static class TokensApi
{
    /// <summary>The body of POST /api/v1/tokens.</summary>
    public sealed record TokenBody(string Name, string Role, string? Tenant = null, DateTimeOffset? ExpiresAt = null);

    public static void MapTokens(this IEndpointRouteBuilder app, ServerOptions options)
    {
        var group = app.MapGroup("/api/v1/tokens").WithTags("tokens");

        group.MapPost("/", async (HttpContext http, TokenStore tokens) =>
            {
                var body = (TokenBody)RequestBody.Deserialize(await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes), typeof(TokenBody));
                var role = Roles.Parse(body.Role) ?? throw RegistryException.Invalid([new("role", $"'{body.Role}' is not viewer, operator, admin or member")]);
                var (token, secret) = await tokens.CreateAsync(new TokenRequest(body.Name, role, body.Tenant, body.ExpiresAt), Caller.ActorOf(http), http.RequestAborted);
                http.Response.Headers.Location = $"/api/v1/tokens/{token.Id}";
                http.Response.Headers.CacheControl = "no-store";
                return ApiResults.Json(TokenView.Of(token, secret), 201);
            })
            .WithName("create-token").WithSummary("Create an API token; its secret is in the answer, once, and never again")
            .WithDescription("Body: {name, role: viewer|operator|admin|member, tenant (members only), expiresAt (optional)}.")
            .Accepts<TokenBody>("application/json").Produces<TokenView>(201).ProducesProblem(400).ProducesProblem(422)
            .Allow(Role.Admin);

        group.MapGet("/", async (HttpContext http, TokenStore tokens) =>
            {
                var list = await tokens.ListAsync(http.RequestAborted);
                return ApiResults.Json(new Page<TokenView>([.. list.Select(t => TokenView.Of(t))], null));
            })
            .WithName("list-tokens").WithSummary("List API tokens (never their secrets)").Produces<Page<TokenView>>().Allow(Role.Admin);

        group.MapGet("/{id}", async (string id, HttpContext http, TokenStore tokens) =>
                ApiResults.Json(TokenView.Of(await tokens.GetAsync(id, http.RequestAborted) ?? throw RegistryException.NotFound("token", id))))
            .WithName("get-token").WithSummary("Get an API token (never its secret)").Produces<TokenView>().ProducesProblem(404).Allow(Role.Admin);

        group.MapDelete("/{id}", async (string id, HttpContext http, TokenStore tokens) =>
                await tokens.RevokeAsync(id, Caller.ActorOf(http), http.RequestAborted) is null ? throw RegistryException.NotFound("token", id) : Results.NoContent())
            .WithName("revoke-token").WithSummary("Revoke an API token; it stops working at once and stays listed as revoked")
            .Produces(204).ProducesProblem(404).Allow(Role.Admin);

        app.MapGet("/api/v1/me", (HttpContext http, TokenStore tokens) =>
            {
                var caller = Caller.Of(http);
                return ApiResults.Json(new MeView(caller.Actor, caller.Role.Name(), caller.Tenant, caller.TokenId));
            })
            .WithTags("tokens").WithName("whoami").WithSummary("Who the caller is: its name, role and tenant").Produces<MeView>()
            .Allow(Role.Viewer, Role.Member);
    }


}
