using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Cli.Bench;
using Meridian.Core.Serialization;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var hosts = new Option<int>("--hosts") { Description = "Hosts in the synthetic fleet", DefaultValueFactory = _ => 10_000 };
        var zones = new Option<int>("--zones") { Description = "Zones (three to a region)", DefaultValueFactory = _ => 92 };
        var requests = new Option<int>("--requests") { Description = "Placement requests (3-6 replicas each, 3-zone spread, inside a data boundary)", DefaultValueFactory = _ => 20_000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the fleet and the requests", DefaultValueFactory = _ => 7 };
        var api = new Option<bool>("--api") { Description = "Also place through the HTTP API of a real server on loopback with a SQLite file (the demo world)" };
        var clients = new Option<int>("--clients") { Description = "Concurrent HTTP clients with --api", DefaultValueFactory = _ => 32 };
        var apiRequests = new Option<int>("--api-requests") { Description = "Requests sent through the API with --api", DefaultValueFactory = _ => 2_000 };
        var json = CommonOptions.Json();
        var placement = new Command("placement", "Replicas placed per second and per-request latency: Meridian's indexed engine against a first-fit scan of every host, on the same fleet and requests")
        {
            hosts, zones, requests, seed, api, clients, apiRequests, json,
        };
        placement.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var (h, z, r, s) = (parse.GetValue(hosts), parse.GetValue(zones), parse.GetValue(requests), parse.GetValue(seed));
            if (h < 1 || z < 3 || r < 1 || z > h)
            {
                CommonOptions.Error("need --hosts >= --zones >= 3 and --requests >= 1", []);
                return 1;
            }
            var specs = SyntheticFleet.Hosts(h, z, s);
            var stream = SyntheticFleet.Requests(r, s);
            // Warm-up on a throwaway fleet so the JIT is not measured.
            var warm = new Fleet(specs, PlacementOptions.Default, SyntheticFleet.Boundaries);
            foreach (var q in stream.Take(500)) { PlacementEngine.Place(warm, q); }
            foreach (var q in stream.Take(50)) { FirstFitScheduler.Place(warm, q); }

            var index = PlacementBench.Run("meridian", new Fleet(specs, PlacementOptions.Default, SyntheticFleet.Boundaries), stream, (f, q) => PlacementEngine.Place(f, q));
            var firstFit = PlacementBench.Run("first-fit scan", new Fleet(specs, PlacementOptions.Default, SyntheticFleet.Boundaries), stream, FirstFitScheduler.Place);
            var result = new JsonObject
            {
                ["hosts"] = h, ["zones"] = z, ["requests"] = r, ["seed"] = s,
                ["replicasPerSecond"] = Math.Round(index.ReplicasPerSecond), ["p99Micros"] = index.P99Micros, ["overcommits"] = index.Overcommits,
                ["meridian"] = JsonSerializer.SerializeToNode(index, MeridianJson.Options),
                ["firstFit"] = JsonSerializer.SerializeToNode(firstFit, MeridianJson.Options),
            };
            if (parse.GetValue(api)) result["api"] = await ApiAsync(parse.GetValue(clients), parse.GetValue(apiRequests), ct);

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(result.ToJsonString(MeridianJson.Indented));
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Scheduler", "Replicas/s", "p50 µs", "p99 µs", "Placed", "Failed", "Over-commits");
            foreach (var b in new[] { index, firstFit })
                table.AddRow(b.Scheduler, $"{b.ReplicasPerSecond:N0}", $"{b.P50Micros:0.0}", $"{b.P99Micros:0.0}", $"{b.Placed}", $"{b.Failed}", $"{b.Overcommits}");
            if (result["api"] is JsonObject a)
                table.AddRow($"HTTP API, {a["clients"]} clients", $"{a["replicasPerSecond"]:N0}", $"{a["p50Micros"]}", $"{a["p99Micros"]}", $"{a["placed"]}", $"{a["failed"]}", $"{a["overcommits"]}");
            CommonOptions.Console().Write(table);
            return 0;
        }));
        var to = new Option<string>("--to") { Description = "Backend to forward every request to", Required = true };
        var urls = new Option<string>("--urls") { Description = "Address to listen on", DefaultValueFactory = _ => "http://127.0.0.1:18084" };
        var proxy = new Command("proxy", "A bare YARP forwarder with nothing else in the pipeline: the baseline bench/gateway.sh measures the gateway against") { to, urls };
        proxy.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            await using var app = BareProxy.Build(parse.GetValue(urls)!, parse.GetValue(to)!);
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        }));
        return new Command("bench", "Benchmarks (figures are recorded in docs/benchmarks.md)") { placement, proxy, BenchPlanCommand.Create(), BenchExpansionCommand.Create() };
    }

    /// <summary>Workloads of 3 replicas with a 3-zone spread inside a data boundary, posted by concurrent clients to a real server.</summary>
    private static async Task<JsonObject> ApiAsync(int clients, int requests, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("meridian-bench-").FullName;
        try
        {
            // The benchmark measures placement, not the per-token rate limit.
            var app = await MeridianServer.BuildAsync(new ServerOptions
            {
                DatabasePath = Path.Combine(dir, "bench.db"), Urls = "http://127.0.0.1:0",
                Security = new Meridian.Server.Security.SecurityOptions { TokenRequestsPerMinute = 1_000_000 },
            });
            await app.StartAsync(ct);
            var baseAddress = new Uri(app.Urls.First());
            var token = (await File.ReadAllTextAsync(Path.Combine(dir, "bench.admin-token"), ct)).Trim();
            string[] boundaries = ["EU", "US", "CN", "ASEAN"];
            var micros = new double[requests];
            var placed = 0;
            var next = -1;
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = baseAddress };
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            (await http.PostAsJsonAsync("/api/v1/tenants", new JsonObject { ["id"] = "bench" }, ct)).EnsureSuccessStatusCode();
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < requests)
                {
                    var body = new JsonObject
                    {
                        ["tenant"] = "bench", ["name"] = $"w{i}", ["replicas"] = 3,
                        ["resources"] = new JsonObject { ["vcpu"] = 1, ["memoryGiB"] = 2 },
                        ["constraints"] = new JsonObject { ["boundary"] = boundaries[i % boundaries.Length], ["spread"] = new JsonObject { ["minZones"] = 3, ["maxSkew"] = 1 } },
                    };
                    var start = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsJsonAsync("/api/v1/workloads", body, ct);
                    micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    if (response.IsSuccessStatusCode) Interlocked.Increment(ref placed);
                }
            }));
            var seconds = watch.Elapsed.TotalSeconds;
            var capacity = await http.GetFromJsonAsync<JsonObject>("/api/v1/capacity?hosts=true", ct);
            var overcommits = capacity!["hosts"]!.AsArray().Count(x =>
                x!["free"]!["vcpu"]!.GetValue<double>() < 0 || x["free"]!["memoryGiB"]!.GetValue<double>() < 0 || x["free"]!["gpus"]!.GetValue<double>() < 0);
            await app.StopAsync(ct);
            await app.DisposeAsync();
            var r = BenchResult.Of("http", micros, placed, placed * 3L, seconds, overcommits);
            return new JsonObject
            {
                ["clients"] = clients, ["requests"] = requests, ["placed"] = placed, ["failed"] = requests - placed,
                ["replicasPerSecond"] = Math.Round(r.ReplicasPerSecond), ["p50Micros"] = r.P50Micros, ["p99Micros"] = r.P99Micros, ["overcommits"] = overcommits,
            };
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
