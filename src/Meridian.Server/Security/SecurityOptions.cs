namespace Meridian.Server.Security;

/// <summary>Who may call the server and what the gateway may reach. Bound from the configuration section
/// Meridian:Security (appsettings, environment variables such as Meridian__Security__TrustedProxies__0).</summary>
public sealed class SecurityOptions
{
    /// <summary>Key file of the tokens' keyed hash. Default: beside the database (meridian.db -> meridian.token-key).</summary>
    public string? TokenKeyFile { get; set; }

    /// <summary>Where the first admin token is written when no admin token exists. Default: beside the database
    /// (meridian.db -> meridian.admin-token), readable only by its owner.</summary>
    public string? AdminTokenFile { get; set; }

    /// <summary>Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For and X-Client-Country/-Lat/-Lon headers
    /// are believed. Default none: a client's country comes from its own address.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Hosts (names or addresses, optionally with :port) that service endpoints may name although they are
    /// loopback, link-local or this server's own address. Default none.</summary>
    public List<string> AllowedEndpointHosts { get; set; } = [];

    /// <summary>API requests a token may make per <see cref="RateLimitPeriod"/> (a token bucket of that size). Default 1200.</summary>
    public int TokenRequestsPerMinute { get; set; } = 1200;

    /// <summary>API requests per <see cref="RateLimitPeriod"/> from one address without a valid token. Default 120.</summary>
    public int AddressRequestsPerMinute { get; set; } = 120;

    /// <summary>The period the two rates above are counted over. Default one minute.</summary>
    public TimeSpan RateLimitPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Origins allowed to call the API from a browser on another site (CORS). Default none: no CORS headers.</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Optional OIDC: JWT bearer tokens from an identity provider.</summary>
    public OidcOptions Oidc { get; set; } = new();
}

/// <summary>JWT bearer tokens (Microsoft.AspNetCore.Authentication.JwtBearer). Enabled when <see cref="Issuer"/> is set.</summary>
public sealed class OidcOptions
{
    /// <summary>The issuer ("iss") tokens must carry. Setting it turns OIDC on.</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience ("aud") tokens must carry.</summary>
    public string? Audience { get; set; }

    /// <summary>Where to discover signing keys (the issuer's .well-known/openid-configuration). Default: the issuer.</summary>
    public string? Authority { get; set; }

    /// <summary>A PEM file with the issuer's public signing key, instead of discovery (for offline installations and tests).</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The claim that carries the role (viewer, operator, admin, member). Default "meridian_role".</summary>
    public string RoleClaim { get; set; } = "meridian_role";

    /// <summary>The claim that carries a member's tenant. Default "meridian_tenant".</summary>
    public string TenantClaim { get; set; } = "meridian_tenant";

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);
}
