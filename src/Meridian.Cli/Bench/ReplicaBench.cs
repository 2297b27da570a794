using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Meridian.Server;
using Meridian.Storage.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Meridian.Cli.Bench;

/// <summary>What one run of placements through the HTTP API measured.</summary>
internal sealed record ReplicaBenchResult(
    string Store, int Servers, int Clients, int Batch, int Requests, int Placed, int Failed, double Seconds,
    double ReplicasPerSecond, double P50Ms, double P99Ms, long Conflicts, long GaveUp, long Transactions, int Overcommits,
    double? CatchUpP50Ms, double? CatchUpP99Ms)
{
    public double ConflictsPer1000 => Placed == 0 ? 0 : Math.Round(1000.0 * Conflicts / Placed, 1);
}

/// <summary>Real servers on loopback over one database (a fresh SQLite file, or a fresh PostgreSQL database made on
/// the server <c>postgresUrl</c> names), with clients spread over them placing workloads of 3 replicas spread over 3
/// zones inside a data boundary, as the API's callers do.</summary>
internal static class ReplicaBench
{
    private static readonly string[] Boundaries = ["EU", "US", "CN", "ASEAN"];

    public static async Task<ReplicaBenchResult> RunAsync(string? postgresUrl, int servers, int clients, int requests, int batch, int catchUpSamples, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("meridian-bench-").FullName;
        var (database, drop) = postgresUrl is null ? (Path.Combine(dir, "bench.db"), (Action?)null) : CreatePostgresDatabase(postgresUrl);
        var apps = new List<WebApplication>();
        try
        {
            // One server first: it creates the schema, the demo world and the admin token the others share.
            for (var i = 0; i < servers; i++) apps.Add(await StartAsync(database, dir, batch, ct));
            var token = (await File.ReadAllTextAsync(Path.Combine(dir, "admin-token"), ct)).Trim();
            var https = apps.Select(a => Client(a, token, clients)).ToArray();
            (await https[0].PostAsJsonAsync("/api/v1/tenants", new JsonObject { ["id"] = "bench" }, ct)).EnsureSuccessStatusCode();
            await WarmAsync(https, ct);
            var ledgers = apps.Select(a => a.Services.GetRequiredService<AllocationLedger>()).ToArray();
            var (conflicts0, gaveUp0, tx0) = (ledgers.Sum(l => l.Conflicts), ledgers.Sum(l => l.GaveUp), ledgers.Sum(l => l.Transactions));

            var micros = new double[requests];
            var placed = 0;
            var next = -1;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
            {
                var http = https[c % https.Length];
                int i;
                while ((i = Interlocked.Increment(ref next)) < requests)
                {
                    var start = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsJsonAsync("/api/v1/workloads", Workload($"w{i}", Boundaries[i % Boundaries.Length], 3), ct);
                    micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    if (response.IsSuccessStatusCode) Interlocked.Increment(ref placed);
                }
            }));
            var seconds = watch.Elapsed.TotalSeconds;
            var (conflicts, gaveUp, transactions) = (ledgers.Sum(l => l.Conflicts) - conflicts0, ledgers.Sum(l => l.GaveUp) - gaveUp0, ledgers.Sum(l => l.Transactions) - tx0);

            var (catchUp50, catchUp99) = servers > 1 ? await CatchUpAsync(https[0], https[1], catchUpSamples, ct) : (null, null);
            var capacity = await https[0].GetFromJsonAsync<JsonObject>("/api/v1/capacity?hosts=true", ct);
            var overcommits = capacity!["hosts"]!.AsArray().Count(x =>
                x!["free"]!["vcpu"]!.GetValue<double>() < 0 || x["free"]!["memoryGiB"]!.GetValue<double>() < 0 || x["free"]!["gpus"]!.GetValue<double>() < 0);
            var r = BenchResult.Of("http", micros, placed, placed * 3L, seconds, overcommits);
            return new ReplicaBenchResult(postgresUrl is null ? "sqlite" : "postgresql", servers, clients, batch, requests, placed, requests - placed, Math.Round(seconds, 2),
                Math.Round(r.ReplicasPerSecond), Math.Round(r.P50Micros / 1000, 2), Math.Round(r.P99Micros / 1000, 2), conflicts, gaveUp, transactions, overcommits, catchUp50, catchUp99);
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Npgsql.NpgsqlConnection.ClearAllPools();
            drop?.Invoke();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A workload placed on <paramref name="writer"/>: how long until <paramref name="reader"/> shows it, from
    /// the moment the writer acknowledged it. The reader is asked again at once until it does.</summary>
    private static async Task<(double?, double?)> CatchUpAsync(HttpClient writer, HttpClient reader, int samples, CancellationToken ct)
    {
        var ms = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            using var response = await writer.PostAsJsonAsync("/api/v1/workloads", Workload($"catch-up-{i}", Boundaries[i % Boundaries.Length], 1), ct);
            if (!response.IsSuccessStatusCode) continue;
            var id = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<string>();
            var start = Stopwatch.GetTimestamp();
            while (true)
            {
                using var seen = await reader.GetAsync($"/api/v1/workloads/{id}", ct);
                if (seen.StatusCode == HttpStatusCode.OK) break;
                if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromSeconds(30)) throw new TimeoutException($"workload {id} never showed on the other replica");
            }
            ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        if (ms.Count == 0) return (null, null);
        ms.Sort();
        return (Math.Round(ms[ms.Count / 2], 2), Math.Round(ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(ms.Count * 0.99) - 1)], 2));
    }

    private static async Task WarmAsync(HttpClient[] https, CancellationToken ct)
    {
        // The JIT and the connection pools, so the first requests measured are not the cold ones.
        for (var i = 0; i < 20; i++)
        {
            using var response = await https[i % https.Length].PostAsJsonAsync("/api/v1/workloads", Workload($"warm-{i}", Boundaries[i % Boundaries.Length], 1), ct);
        }
    }

    private static JsonObject Workload(string name, string boundary, int replicas) => new()
    {
        ["tenant"] = "bench", ["name"] = name, ["replicas"] = replicas,
        ["resources"] = new JsonObject { ["vcpu"] = 1, ["memoryGiB"] = 2 },
        ["constraints"] = replicas >= 3
            ? new JsonObject { ["boundary"] = boundary, ["spread"] = new JsonObject { ["minZones"] = 3, ["maxSkew"] = 1 } }
            : new JsonObject { ["boundary"] = boundary },
    };

    private static async Task<WebApplication> StartAsync(string database, string dir, int batch, CancellationToken ct)
    {
        var app = await MeridianServer.BuildAsync(new ServerOptions
        {
            DatabasePath = database, Urls = "http://127.0.0.1:0", PlacementBatch = batch,
            // The benchmark measures placement, not the per-token rate limit.
            Security = new Meridian.Server.Security.SecurityOptions
            {
                TokenRequestsPerMinute = 100_000_000, TokenKeyFile = Path.Combine(dir, "token-key"), AdminTokenFile = Path.Combine(dir, "admin-token"),
            },
        });
        await app.StartAsync(ct);
        return app;
    }

    private static HttpClient Client(WebApplication app, string token, int clients)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    /// <summary>A fresh database on the PostgreSQL server <paramref name="url"/> names, and how to drop it.</summary>
    private static (string, Action) CreatePostgresDatabase(string url)
    {
        var admin = Meridian.Storage.Data.PostgresDatabase.Parse(url);
        var name = $"meridian_bench_{Guid.NewGuid():N}"[..31];
        Exec(admin.ConnectionString, $"CREATE DATABASE {name}");
        var target = new Npgsql.NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name };
        return (target.ConnectionString, () => Exec(admin.ConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }

    private static void Exec(string connectionString, string sql)
    {
        using var c = new Npgsql.NpgsqlConnection(connectionString);
        c.Open();
        using var cmd = new Npgsql.NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }
}
