using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Meridian.Server.Tests.Security;

public sealed class TokenTests : ServerTest
{
    private void Sql(string sql)
    {
        using var c = new SqliteConnection($"Data Source={Host.DatabasePath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static string IdOf(string token) => token.Split('_')[1];

    [Fact]
    public async Task EveryKindOfBadToken_GetsTheSame401_WithWwwAuthenticate()
    {
        var expired = await Host.TokenAsync("viewer", name: "expired");
        Sql($"UPDATE tokens SET expires_at = '2020-01-01T00:00:00.0000000+00:00' WHERE id = '{IdOf(expired)}'");
        var revoked = await Host.TokenAsync("viewer", name: "revoked");
        Assert.Equal(HttpStatusCode.NoContent, (await Host.Http.DeleteAsync($"/api/v1/tokens/{IdOf(revoked)}")).StatusCode);
        var valid = await Host.TokenAsync("viewer", name: "valid");
        var wrongSecret = valid[..^1] + (valid[^1] == '0' ? '1' : '0');

        var bodies = new List<string>();
        foreach (var token in new[] { "nonsense", "mrd_zzzz", "mrd_000000000000_" + new string('0', 48), wrongSecret, expired, revoked })
        {
            var response = await Host.Client(token).GetAsync("/api/v1/regions");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer realm=\"meridian\", error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(token, body);
            // Every body alike but for its own request's trace id: nothing tells which kind of token was wrong.
            var problem = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
            Assert.Matches("^[0-9a-f]{32}$", problem["traceId"]!.GetValue<string>());
            problem.Remove("traceId");
            bodies.Add(problem.ToJsonString());
        }
        Assert.Single(bodies.Distinct());
        Assert.Equal(HttpStatusCode.OK, (await Host.Client(valid).GetAsync("/api/v1/regions")).StatusCode);

        // Refused authentications are in the change log for admins (once per address per minute), never for viewers.
        var auth = await Host.GetJsonAsync("/api/v1/changes?kind=auth");
        Assert.Single(auth["items"]!.AsArray());
        Assert.Equal("127.0.0.1", auth["items"]![0]!["id"]!.GetValue<string>());
        var forViewer = await Host.Client(valid).GetFromJsonAsync<JsonObject>("/api/v1/changes?limit=1000");
        Assert.DoesNotContain(forViewer!["items"]!.AsArray(), c => c!["kind"]!.GetValue<string>() is "auth" or "tokens");
    }

    [Fact]
    public async Task ATokenIsShownOnce_StoredAsAKeyedHash_AndItsUseIsRecorded()
    {
        var response = await Host.Http.PostAsJsonAsync("/api/v1/tokens", new { name = "ci", role = "operator", expiresAt = "2027-01-01T00:00:00Z" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var token = created["token"]!.GetValue<string>();
        Assert.Matches("^mrd_[0-9a-f]{12}_[0-9a-f]{48}$", token);
        var id = created["id"]!.GetValue<string>();

        var again = await Host.GetJsonAsync($"/api/v1/tokens/{id}");
        Assert.Null(again["token"]);
        Assert.Null(again["lastUsedAt"]);
        Assert.Equal("operator", again["role"]!.GetValue<string>());
        Assert.DoesNotContain(token, (await Host.Http.GetStringAsync("/api/v1/tokens")));
        Assert.DoesNotContain(token, (await Host.Http.GetStringAsync("/api/v1/changes?limit=1000")));
        Assert.DoesNotContain(token[17..], DatabaseText(), StringComparison.OrdinalIgnoreCase);

        var me = await Host.Client(token).GetFromJsonAsync<JsonObject>("/api/v1/me");
        Assert.Equal($"ci (token {id})", me!["actor"]!.GetValue<string>());
        Assert.NotNull((await Host.GetJsonAsync($"/api/v1/tokens/{id}"))["lastUsedAt"]);

        var log = (await Host.GetJsonAsync($"/api/v1/changes?kind=tokens&id={id}"))["items"]!.AsArray();
        Assert.Equal("create", log.Single()!["action"]!.GetValue<string>());
        Assert.StartsWith("first-admin (token ", log.Single()!["actor"]!.GetValue<string>());
    }

    private string DatabaseText()
    {
        using var c = new SqliteConnection($"Data Source={Host.DatabasePath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT group_concat(secret_hash, ' ') FROM tokens";
        return (string)cmd.ExecuteScalar()!;
    }

    [Theory]
    [InlineData("""{"name":"x","role":"root"}""", "role")]
    [InlineData("""{"name":"x","role":"member"}""", "tenant")]
    [InlineData("""{"name":"x","role":"member","tenant":"nobody"}""", "tenant")]
    [InlineData("""{"name":"x","role":"viewer","tenant":"acme"}""", "tenant")]
    [InlineData("""{"name":"eve\u202Egnp","role":"viewer"}""", "name")]
    [InlineData("""{"name":"x","role":"viewer","expiresAt":"2020-01-01T00:00:00Z"}""", "expiresAt")]
    public async Task BadTokenRequests_Are422_NamingTheField_AndCreateNothing(string body, string field)
    {
        var before = (await Host.GetJsonAsync("/api/v1/tokens"))["items"]!.AsArray().Count;
        await Problem.AssertAsync(await Host.Http.PostAsync("/api/v1/tokens", Problem.Json(body)), HttpStatusCode.UnprocessableEntity, field);
        Assert.Equal(before, (await Host.GetJsonAsync("/api/v1/tokens"))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task ARevokedToken_StopsAtOnce()
    {
        var token = await Host.TokenAsync("operator");
        using var client = Host.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/regions")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Host.Http.DeleteAsync($"/api/v1/tokens/{IdOf(token)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/regions")).StatusCode);
        Assert.NotNull((await Host.GetJsonAsync($"/api/v1/tokens/{IdOf(token)}"))["revokedAt"]);
        await Problem.AssertAsync(await Host.Http.DeleteAsync("/api/v1/tokens/000000000000"), HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task TheFirstAdminTokenFile_IsOwnerOnly_AndARestartKeepsIt()
    {
        var file = Path.ChangeExtension(Host.DatabasePath, ".admin-token");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var token = (await File.ReadAllTextAsync(file)).Trim();
        await Host.StopServerAsync();
        await using var again = await MeridianHost.StartAsync(o => o with { DatabasePath = Host.DatabasePath });
        Assert.Equal(token, again.AdminToken);
        Assert.Single((await again.GetJsonAsync("/api/v1/tokens"))["items"]!.AsArray(), t => t!["role"]!.GetValue<string>() == "admin");
    }
}
