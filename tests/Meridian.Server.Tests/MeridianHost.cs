using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Meridian.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Meridian.Server.Tests;

/// <summary>A real Meridian server on a loopback port over a real SQLite file, seeded with the demo world.</summary>
public sealed class MeridianHost : IAsyncDisposable
{
    /// <summary>Tests read statuses on a fixed day, so they do not change as time passes.</summary>
    public static readonly DateTimeOffset Today = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("meridian-api-").FullName;
    private WebApplication? _app;

    public string DatabasePath => Path.Combine(_dir, "meridian.db");

    /// <summary>A replica on a PostgreSQL database shared with others: they share the token key and the first admin token
    /// through files in <paramref name="shared"/>.</summary>
    public static Task<MeridianHost> StartReplicaAsync(string url, string shared, Func<ServerOptions, ServerOptions>? configure = null) =>
        StartAsync(o =>
        {
            o.Security.AdminTokenFile = Path.Combine(shared, "admin-token");
            o.Security.TokenKeyFile = Path.Combine(shared, "token-key");
            o = o with { DatabasePath = url };
            return configure?.Invoke(o) ?? o;
        });

    /// <summary>A client that sends the first admin token, which the server wrote beside the database on its first start.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>A client without a token.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    public Uri BaseAddress => Http.BaseAddress!;

    /// <summary>The running server's services, for tests that reach past the API (compacting the change log).</summary>
    public IServiceProvider Services => _app!.Services;

    public static async Task<MeridianHost> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        var host = new MeridianHost();
        var options = new ServerOptions
        {
            DatabasePath = host.DatabasePath, Urls = "http://127.0.0.1:0", RefreshInterval = TimeSpan.FromMilliseconds(100),
            // The tests' backends and clients are on loopback: trust it as a proxy, allow it as an endpoint, and do not let
            // the rate limits (tested on their own) cut the fuzz and load tests short.
            Security = new global::Meridian.Server.Security.SecurityOptions
            {
                TrustedProxies = ["127.0.0.1", "::1"], AllowedEndpointHosts = ["127.0.0.1", "localhost"],
                TokenRequestsPerMinute = 1_000_000, AddressRequestsPerMinute = 1_000_000,
            },
        };
        options = configure?.Invoke(options) ?? options;
        host._app = await MeridianServer.BuildAsync(options, time: new FixedTime(Today));
        await host._app.StartAsync();
        host.AdminToken = (await File.ReadAllTextAsync(options.Security.AdminTokenFile ?? Path.ChangeExtension(options.DatabasePath, ".admin-token"))).Trim();
        host.Http = host.Client(host.AdminToken);
        host.Anonymous = host.Client(null);
        // Most tests place workloads for tenant "acme"; a tenant must exist before its workloads do.
        // Replicas starting together may both find it missing; the second is told it exists, which is as good.
        if ((await host.Http.GetAsync("/api/v1/tenants/acme")).StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            var created = await host.Http.PostAsJsonAsync("/api/v1/tenants", new JsonObject { ["id"] = "acme" });
            Assert.True(created.StatusCode is System.Net.HttpStatusCode.Created or System.Net.HttpStatusCode.Conflict, $"create tenant: {(int)created.StatusCode}");
        }
        return host;
    }

    /// <summary>A client sending <paramref name="token"/> (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(_app!.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>Creates a token through the API and returns its secret.</summary>
    public async Task<string> TokenAsync(string role, string? tenant = null, string? name = null)
    {
        var body = new JsonObject { ["name"] = name ?? $"{role}-{Guid.NewGuid():N}"[..20], ["role"] = role, ["tenant"] = tenant };
        var response = await Http.PostAsJsonAsync("/api/v1/tokens", body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create token: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    /// <summary>Creates a tenant (with optional quotas) through the API.</summary>
    public async Task TenantAsync(string id, JsonObject? quota = null)
    {
        var response = await Http.PostAsJsonAsync("/api/v1/tenants", new JsonObject { ["id"] = id, ["quota"] = quota });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create tenant: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonObject> GetJsonAsync(string url)
    {
        var response = await Http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>What is in the database file: counts of resources and change-log entries, and the generation.</summary>
    public (long Resources, long Changes, long Generation) Fingerprint()
    {
        using var c = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        c.Open();
        long Scalar(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            return (long)cmd.ExecuteScalar()!;
        }
        return (Scalar("SELECT COUNT(*) FROM resources"), Scalar("SELECT COUNT(*) FROM changes"), Scalar("SELECT value FROM meta WHERE key = 'generation'"));
    }

    /// <summary>Stops the server but keeps its database, for tests of what a restart finds.</summary>
    public async Task StopServerAsync()
    {
        Http.Dispose();
        Anonymous.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
        SqliteConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
