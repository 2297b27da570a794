using System.Text.Encodings.Web;
using Meridian.Server.Http;
using Meridian.Storage.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Meridian.Server.Security;

/// <summary>Authenticates <c>Authorization: Bearer mrd_...</c> against the token store. A missing token leaves the request
/// anonymous; a malformed, unknown, wrong, expired or revoked one fails, and every failure answers the same 401.</summary>
internal sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    TokenStore tokens, RefusalLog refusals) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "meridian-token";
    public const string Realm = "meridian";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Bearer(Request) is not { } presented)
        {
            if (Request.Headers.Authorization.Count == 0) return Task.FromResult(AuthenticateResult.NoResult());
            refusals.Refused(Context, "the Authorization header is not 'Bearer <token>'");
            return Task.FromResult(AuthenticateResult.Fail("invalid token"));
        }
        var token = tokens.Authenticate(presented, out var reason);
        if (token is null)
        {
            refusals.Refused(Context, reason);
            return Task.FromResult(AuthenticateResult.Fail("invalid token"));
        }
        var principal = Caller.Principal(SchemeName, token.Actor, token.Role, token.Tenant, token.Id);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Challenge(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Forbid(Context);

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    /// <summary>401: the same body whatever was wrong with the token, so the answer tells a guesser nothing.</summary>
    public static async Task Challenge(HttpContext http)
    {
        var presented = http.Request.Headers.Authorization.Count > 0;
        http.Response.Headers.WWWAuthenticate = presented ? $"Bearer realm=\"{Realm}\", error=\"invalid_token\"" : $"Bearer realm=\"{Realm}\"";
        await Problems.Result(401, presented
                ? "the bearer token is not valid: it may be malformed, unknown, expired or revoked"
                : "this needs a bearer token (Authorization: Bearer mrd_...); see docs/security.md",
            [new("Authorization", presented ? "is not a valid token" : "is missing")], http).ExecuteAsync(http);
    }

    public static async Task Forbid(HttpContext http)
    {
        var caller = Caller.Find(http);
        var rule = http.GetEndpoint()?.Metadata.GetMetadata<AccessRule>();
        var needs = rule?.Names ?? "another role";
        await Problems.Result(403, $"{caller?.Actor ?? "the caller"} is a {caller?.Role.Name() ?? "caller"}; {http.Request.Method} {http.Request.Path} needs {needs}",
            [new("role", $"is {caller?.Role.Name()}")], http).ExecuteAsync(http);
    }
}
