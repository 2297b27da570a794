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
        var reserve = new Option<int>("--reserve-requests")
        {
            Description = "Also place this many GPU requests (one GPU, 0.81-GPU shares, eight GPUs; 1-3 replicas) fragmentation-aware, with the whole-GPU reserve and without it, each on a fresh copy of the fleet; 0 skips it",
            DefaultValueFactory = _ => 0,
        };
        var json = CommonOptions.Json();
        var placement = new Command("placement", "Replicas placed per second and per-request latency: Meridian's indexed engine against a first-fit scan of every host, on the same fleet and requests")
        {
            hosts, zones, requests, seed, api, clients, apiRequests, reserve, json,
        };
        placement.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var (h, z, r, s) = (parse.GetValue(hosts), parse.GetValue(zones), parse.GetValue(requests), parse.GetValue(seed));
            if (h < 1 || z < 3 || r < 1 || z > h)
            {
                CommonOptions.Error("need --hosts >= --zones >= 3 and --requests >= 1", []);
                return 1;
            }
            var reserveRequests = parse.GetValue(reserve);
            if (reserveRequests is < 0 or > 1_000_000)
            {
                CommonOptions.Error("--reserve-requests must be 0 to 1000000", []);
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
            var reserveRows = new List<(BenchResult Bench, double Gpus)>();
            if (reserveRequests > 0)
            {
                var gpuStream = SyntheticFleet.GpuRequests(reserveRequests, s);
                // Both once on throwaway fleets first: whichever ran first would otherwise pay for the JIT's tiers.
                foreach (var withReserve in new[] { false, true })
                    PlacementBench.Run("warm-up", new Fleet(specs, PlacementOptions.Default, SyntheticFleet.Boundaries), gpuStream, PlacementBench.Fragmentation(withReserve));
                foreach (var (name, withReserve) in new[] { ("fragmentation", false), ("fragmentation + reserve", true) })
                {
                    var fleet = new Fleet(specs, PlacementOptions.Default, SyntheticFleet.Boundaries);
                    reserveRows.Add((PlacementBench.Run(name, fleet, gpuStream, PlacementBench.Fragmentation(withReserve)), PlacementBench.GpusAllocated(fleet)));
                }
                result["reserve"] = new JsonArray([.. reserveRows.Select(x =>
                {
                    var node = JsonSerializer.SerializeToNode(x.Bench, MeridianJson.Options)!.AsObject();
                    node["gpusAllocated"] = Math.Round(x.Gpus, 1);
                    return (JsonNode)node;
                })]);
            }

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
            if (reserveRows.Count > 0)
            {
                var gpus = new Table().Border(TableBorder.Rounded).AddColumns("GPU requests", "Replicas/s", "p50 µs", "p99 µs", "Placed", "Failed", "GPUs allocated", "Over-commits");
                foreach (var (b, g) in reserveRows)
                    gpus.AddRow(b.Scheduler, $"{b.ReplicasPerSecond:N0}", $"{b.P50Micros:0.0}", $"{b.P99Micros:0.0}", $"{b.Placed}", $"{b.Failed}", $"{g:N1}", $"{b.Overcommits}");
                CommonOptions.Console().Write(gpus);
            }
            return 0;
        }));
        var to = new Option<string>("--to") { Description = "Backend to forward every request to (http or https URL)", Required = true };
        to.Validators.Add(r =>
        {
            if (!Uri.TryCreate(r.GetValueOrDefault<string>(), UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                r.AddError($"--to '{r.GetValueOrDefault<string>()}' is not an http or https URL");
        });
        var urls = new Option<string>("--urls") { Description = "Address to listen on", DefaultValueFactory = _ => "http://127.0.0.1:18084" };
        var mode = new Option<ProxyMode>("--mode")
        {
            Description = "yarp: a bare YARP forwarder; lean: Kestrel and SocketsHttpHandler without YARP; kestrel: answer \"ok\" without forwarding (the ceiling)",
            DefaultValueFactory = _ => ProxyMode.Yarp,
        };
        var inline = new Option<bool>("--inline-scheduling") { Description = "Run requests on Kestrel's socket I/O threads (UnsafePreferInlineScheduling)" };
        var proxy = new Command("proxy", "A bare forwarder with nothing else in the pipeline: the baselines bench/gateway.sh measures the gateway against") { to, urls, mode, inline };
        proxy.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            await using var app = BareProxy.Build(parse.GetValue(urls)!, parse.GetValue(to)!, parse.GetValue(mode), parse.GetValue(inline));
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        }));
        return new Command("bench", "Benchmarks (figures are recorded in docs/benchmarks.md)") { placement, BenchReplicasCommand.Create(), proxy, BenchPlanCommand.Create(), BenchExpansionCommand.Create() };
    }

    /// <summary>Workloads of 3 replicas with a 3-zone spread inside a data boundary, posted by concurrent clients to a real server.</summary>
    private static async Task<JsonObject> ApiAsync(int clients, int requests, CancellationToken ct)
    {
        var r = await ReplicaBench.RunAsync(null, 1, clients, requests, 64, 0, ct);
        return new JsonObject
        {
            ["clients"] = clients, ["requests"] = requests, ["placed"] = r.Placed, ["failed"] = r.Failed,
            ["replicasPerSecond"] = r.ReplicasPerSecond, ["p50Micros"] = r.P50Ms * 1000, ["p99Micros"] = r.P99Ms * 1000, ["overcommits"] = r.Overcommits,
        };
    }
}
