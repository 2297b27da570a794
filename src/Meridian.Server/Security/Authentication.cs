using System.Security.Cryptography;
using Meridian.Storage.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.IdentityModel.Tokens;
using Microsoft.OpenApi;

namespace Meridian.Server.Security;

/// <summary>Wires authentication (Meridian's own tokens, and JWT bearer tokens when OIDC is configured) and authorization:
/// every endpoint needs an authenticated caller unless it says AllowAnonymous; <see cref="Access.Allow"/> names its roles.</summary>
internal static class Authentication
{
    private const string Selector = "meridian";
    private const string Oidc = "oidc";

    public static void Configure(IServiceCollection services, SecurityOptions security)
    {
        var auth = services.AddAuthentication(Selector)
            .AddPolicyScheme(Selector, "Meridian tokens or OIDC", o => o.ForwardDefaultSelector = http =>
                security.Oidc.Enabled && TokenAuthentication.Bearer(http.Request) is { } t && !t.StartsWith(TokenStore.Prefix, StringComparison.Ordinal)
                    ? Oidc : TokenAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.SchemeName, null);
        if (security.Oidc.Enabled) auth.AddJwtBearer(Oidc, o => ConfigureJwt(o, security.Oidc));
        services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    }

    private static void ConfigureJwt(JwtBearerOptions o, OidcOptions oidc)
    {
        o.MapInboundClaims = false;
        o.Authority = oidc.SigningKeyFile is null ? oidc.Authority ?? oidc.Issuer : null;
        o.RequireHttpsMetadata = true;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = oidc.Issuer,
            ValidAudience = oidc.Audience,
            ValidateAudience = oidc.Audience is not null,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        if (oidc.SigningKeyFile is { } file)
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(file));
            o.TokenValidationParameters.IssuerSigningKey = new RsaSecurityKey(rsa);
        }
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = ctx =>
            {
                var jwt = ctx.Principal!;
                var role = Roles.Parse(jwt.FindFirst(oidc.RoleClaim)?.Value);
                var tenant = jwt.FindFirst(oidc.TenantClaim)?.Value;
                var subject = jwt.FindFirst("sub")?.Value;
                if (role is null || subject is null || (role == Role.Member) != (tenant is not null) || Core.Validation.SafeText.Problem(subject) is not null)
                {
                    ctx.Fail($"the token lacks a valid {oidc.RoleClaim}, sub or {oidc.TenantClaim} claim");
                    return Task.CompletedTask;
                }
                ctx.Principal = Caller.Principal(Oidc, $"{subject} (oidc)", role.Value, tenant, null);
                return Task.CompletedTask;
            },
            OnAuthenticationFailed = ctx =>
            {
                ctx.HttpContext.RequestServices.GetRequiredService<RefusalLog>().Refused(ctx.HttpContext, $"JWT: {ctx.Exception.GetType().Name}");
                return Task.CompletedTask;
            },
            OnChallenge = async ctx =>
            {
                ctx.HandleResponse();
                await TokenAuthentication.Challenge(ctx.HttpContext);
            },
            OnForbidden = ctx => TokenAuthentication.Forbid(ctx.HttpContext),
        };
    }

    /// <summary>The OpenAPI document says how to authenticate.</summary>
    public static Task DocumentScheme(OpenApiDocument doc, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        doc.Components ??= new OpenApiComponents();
        doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        doc.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A Meridian API token (mrd_...) or, when OIDC is configured, a JWT from the identity provider.",
        };
        return Task.CompletedTask;
    }

    /// <summary>Each operation lists the roles it admits as x-meridian-roles, and needs the bearer scheme.</summary>
    public static Task DocumentRoles(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var rule = context.Description.ActionDescriptor.EndpointMetadata.OfType<AccessRule>().LastOrDefault();
        if (rule is null) return Task.CompletedTask;
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions["x-meridian-roles"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray(rule.Roles.Select(r => (System.Text.Json.Nodes.JsonNode)r.Name()).ToArray()));
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] }];
        return Task.CompletedTask;
    }
}
