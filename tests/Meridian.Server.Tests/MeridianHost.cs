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
    public HttpClient Http { get; private set; } = null!;

    public static async Task<MeridianHost> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        var host = new MeridianHost();
        var options = new ServerOptions { DatabasePath = host.DatabasePath, Urls = "http://127.0.0.1:0", RefreshInterval = TimeSpan.FromMilliseconds(100) };
        options = configure?.Invoke(options) ?? options;
        host._app = await MeridianServer.BuildAsync(options, time: new FixedTime(Today));
        await host._app.StartAsync();
        host.Http = new HttpClient { BaseAddress = new Uri(host._app.Urls.First()) };
        return host;
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
