using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Meridian.Server.Tests.Security;

/// <summary>JWT bearer tokens from an identity provider, signed by a key this test makes.</summary>
public sealed class OidcTests : IAsyncLifetime
{
    private const string Issuer = "https://login.example.test/";
    private readonly RSA _key = RSA.Create(2048);
    private readonly string _pem = Path.GetTempFileName();
    private MeridianHost _host = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_pem, _key.ExportSubjectPublicKeyInfoPem());
        _host = await MeridianHost.StartAsync(o =>
        {
            o.Security.Oidc = new() { Issuer = Issuer, Audience = "meridian", SigningKeyFile = _pem };
            return o;
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        File.Delete(_pem);
        _key.Dispose();
    }

    private string Jwt(Dictionary<string, object> claims, string issuer = Issuer, RSA? key = null, DateTime? expires = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "meridian",
            Claims = claims,
            NotBefore = DateTime.UtcNow.AddMinutes(-5),
            IssuedAt = DateTime.UtcNow.AddMinutes(-5),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? _key), SecurityAlgorithms.RsaSha256),
        });

    [Fact]
    public async Task AnOperatorJwt_Writes_AndTheLogNamesItsSubject()
    {
        using var client = _host.Client(Jwt(new() { ["sub"] = "alice@example.test", ["meridian_role"] = "operator" }));
        var me = await client.GetFromJsonAsync<JsonObject>("/api/v1/me");
        Assert.Equal("alice@example.test (oidc)", me!["actor"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/regions/eu-west-1/transitions", Problem.Json("""{"status":"Draining"}"""))).StatusCode);
        var change = (await _host.GetJsonAsync("/api/v1/changes?kind=regions&id=eu-west-1"))["items"]![0]!;
        Assert.Equal("alice@example.test (oidc)", change["actor"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/v1/tokens", Problem.Json("""{"name":"x","role":"admin"}"""))).StatusCode);
    }

    [Fact]
    public async Task JwtsFromAnotherIssuer_OrKey_OrWithoutARole_OrExpired_Are401()
    {
        using var other = RSA.Create(2048);
        var claims = new Dictionary<string, object> { ["sub"] = "mallory", ["meridian_role"] = "admin" };
        foreach (var token in new[]
                 {
                     Jwt(claims, issuer: "https://evil.example.test/"),
                     Jwt(claims, key: other),
                     Jwt(new() { ["sub"] = "mallory" }),
                     Jwt(new() { ["sub"] = "mallory", ["meridian_role"] = "member" }),
                     Jwt(claims, expires: DateTime.UtcNow.AddMinutes(-2)),
                 })
        {
            var response = await _host.Client(token).GetAsync("/api/v1/regions");
            await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "Authorization");
        }
        // Meridian's own tokens still work beside OIDC.
        Assert.Equal(HttpStatusCode.OK, (await _host.Http.GetAsync("/api/v1/regions?limit=1")).StatusCode);
    }
}
