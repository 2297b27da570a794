using System.CommandLine;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Planning.Expansion;
using Meridian.Planning.Instances;
using Meridian.Planning.Solvers;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian bench plan</c>: time to proven optimum on OR-Library instances, Meridian's Lagrangian branch and
/// bound side by side with the strong MIP on SCIP in the same run, and time and gap on a large synthetic instance.</summary>
internal static class BenchPlanCommand
{
    public static Command Create()
    {
        var dir = new Option<DirectoryInfo>("--orlib") { Description = "Folder of uncapacitated OR-Library files (cap71.txt ... capc.txt)", DefaultValueFactory = _ => new DirectoryInfo("data/orlib/uncap") };
        var only = new Option<string[]>("--instance") { Description = "Only these instances (names without .txt); all in the folder when absent", AllowMultipleArgumentsPerToken = true };
        var noMip = new Option<bool>("--no-mip") { Description = "Skip the SCIP baseline" };
        var customers = new Option<int>("--synthetic-customers") { Description = "Customers of the synthetic instance (0 skips it)", DefaultValueFactory = _ => 10_000 };
        var facilities = new Option<int>("--synthetic-facilities") { Description = "Candidate facilities of the synthetic instance", DefaultValueFactory = _ => 1_000 };
        var timeLimit = new Option<double>("--time-limit") { Description = "Seconds per solve", DefaultValueFactory = _ => 60 };
        var gap = new Option<double>("--synthetic-gap") { Description = "Stop the synthetic solve once proven within this relative gap", DefaultValueFactory = _ => 0.01 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic instance", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var command = new Command("plan", "Facility location: Meridian's Lagrangian branch and bound against the strong MIP formulation on OR-Tools' SCIP, in one run")
        {
            dir, only, noMip, customers, facilities, timeLimit, gap, seed, json,
        };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(() =>
        {
            var folder = parse.GetValue(dir)!;
            if (!folder.Exists) throw new PlanningInputException("--orlib", $"no folder '{folder.FullName}'");
            var names = parse.GetValue(only) is { Length: > 0 } chosen ? chosen
                : folder.GetFiles("cap*.txt").Select(f => Path.GetFileNameWithoutExtension(f.Name)).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).ToArray();
            if (names.Length == 0) throw new PlanningInputException("--orlib", $"no cap*.txt files in '{folder.FullName}'");
            var limit = TimeLimits.FromSeconds(parse.GetValue(timeLimit), "--time-limit");
            var rows = new JsonArray();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Instance", "Size", "Solver", "Objective", "Gap", "Optimal", "Seconds", "Speed-up");
            // Warm-up: the first solve pays for JIT and OR-Tools' native load.
            var warm = OrLibReader.Read(Path.Combine(folder.FullName, names[0] + ".txt")).Uncapacitated();
            LagrangianSolver.Solve(warm);
            if (!parse.GetValue(noMip)) MipSolver.Solve(warm);
            foreach (var name in names)
            {
                ct.ThrowIfCancellationRequested();
                var instance = OrLibReader.Read(Path.Combine(folder.FullName, name + ".txt")).Uncapacitated();
                var ours = LagrangianSolver.Solve(instance, new SolveOptions { TimeLimit = limit, Cancellation = ct });
                var mip = parse.GetValue(noMip) ? null : MipSolver.Solve(instance, new SolveOptions { TimeLimit = limit, Cancellation = ct });
                rows.Add(Row(instance, ours, mip));
                Add(table, instance, ours, mip);
            }
            var n = parse.GetValue(customers);
            if (n > 0)
            {
                var big = SyntheticInstance.Generate(n, parse.GetValue(facilities), parse.GetValue(seed));
                var ours = LagrangianSolver.Solve(big, new SolveOptions { TimeLimit = limit, TargetGap = parse.GetValue(gap), Cancellation = ct });
                rows.Add(Row(big, ours, null));
                Add(table, big, ours, null);
            }
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(new JsonObject { ["timeLimitSeconds"] = limit.TotalSeconds, ["instances"] = rows }.ToJsonString(MeridianJson.Indented));
                return Task.FromResult(0);
            }
            CommonOptions.Console().Write(table);
            return Task.FromResult(0);
        }));
        return command;
    }

    private static JsonObject Row(FacilityInstance p, SolveResult ours, SolveResult? mip) => new()
    {
        ["instance"] = p.Name, ["facilities"] = p.Facilities, ["customers"] = p.Customers,
        ["meridian"] = Json(ours), ["scip"] = mip is null ? null : Json(mip),
        ["speedup"] = mip is null ? null : Math.Round(mip.Seconds / Math.Max(ours.Seconds, 1e-6), 1),
    };

    private static JsonObject Json(SolveResult r) => new()
    {
        ["objective"] = Math.Round(r.Objective, 5), ["bound"] = Math.Round(r.Bound, 5), ["gap"] = r.Gap, ["optimal"] = r.Optimal,
        ["seconds"] = Math.Round(r.Seconds, 5), ["nodes"] = r.Nodes,
    };

    private static void Add(Table table, FacilityInstance p, SolveResult ours, SolveResult? mip)
    {
        var size = $"{p.Facilities} x {p.Customers}";
        table.AddRow(p.Name, size, "meridian (lagrangian)", $"{ours.Objective:0.000}", $"{ours.Gap:P4}", ours.Optimal ? "yes" : "no", $"{ours.Seconds:0.0000}",
            mip is null ? "" : $"{mip.Seconds / Math.Max(ours.Seconds, 1e-6):0.0}x");
        if (mip is not null)
            table.AddRow("", "", "scip (strong mip)", $"{mip.Objective:0.000}", $"{mip.Gap:P4}", mip.Optimal ? "yes" : "no", $"{mip.Seconds:0.0000}", "1.0x");
    }
}

/// <summary><c>meridian bench expansion</c>: the exact covering and p-median models against the greedy on the demo world,
/// for k = 1..N new sites, in one run: people within the target (or mean RTT) and seconds.</summary>
internal static class BenchExpansionCommand
{
    public static Command Create()
    {
        var most = new Option<int>("--max-add") { Description = "Plans for 1..N new sites", DefaultValueFactory = _ => 8 };
        var slo = new Option<double>("--slo-ms") { Description = "Latency target", DefaultValueFactory = _ => 50 };
        var date = new Option<string>("--date") { Description = "The footprint's date", DefaultValueFactory = _ => "2025-09-30" };
        var json = CommonOptions.Json();
        var command = new Command("expansion", "Expansion on the demo world: exact models (SCIP) against the greedy, k = 1..N, same demand and candidates")
        {
            most, slo, date, json,
        };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(() =>
        {
            var world = Meridian.Storage.Worlds.DemoWorld.Load();
            var day = DateOnly.ParseExact(parse.GetValue(date)!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var latency = new Meridian.Core.Latency.LatencyModel();
            var rows = new JsonArray();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("k", "Model", "Exact: share within target / mean RTT", "Exact s", "Greedy", "Greedy s", "Exact proven");
            // Warm-up: city data, OR-Tools' native library, JIT.
            ExpansionPlanner.Plan(world, new ExpansionRequest(1) { Date = day }, latency);
            for (var k = 1; k <= parse.GetValue(most); k++)
            {
                foreach (var coverage in new[] { true, false })
                {
                    ct.ThrowIfCancellationRequested();
                    var request = new ExpansionRequest(k) { Date = day, SloMs = parse.GetValue(slo), MaximiseCoverage = coverage };
                    var exact = ExpansionPlanner.Plan(world, request, latency);
                    var greedy = ExpansionPlanner.Plan(world, request with { Greedy = true }, latency);
                    double Value(ExpansionPlan p) => coverage ? p.After.ShareWithinTarget : p.After.MeanRttMs;
                    rows.Add(new JsonObject
                    {
                        ["add"] = k, ["model"] = exact.Model, ["exact"] = Value(exact), ["exactSeconds"] = exact.Seconds, ["exactOptimal"] = exact.Optimal,
                        ["greedy"] = Value(greedy), ["greedySeconds"] = greedy.Seconds,
                        ["exactSites"] = new JsonArray([.. exact.Sites.Select(s => (JsonNode)$"{s.Name}, {s.Country}")]),
                        ["greedySites"] = new JsonArray([.. greedy.Sites.Select(s => (JsonNode)$"{s.Name}, {s.Country}")]),
                    });
                    string Show(double v) => coverage ? $"{v:P2}" : $"{v:0.00} ms";
                    table.AddRow($"{k}", exact.Model, Show(Value(exact)), $"{exact.Seconds:0.00}", Show(Value(greedy)), $"{greedy.Seconds:0.00}", exact.Optimal ? "yes" : "no");
                }
            }
            if (parse.GetValue(json)) Console.Out.WriteLine(new JsonObject { ["sloMs"] = parse.GetValue(slo), ["date"] = parse.GetValue(date), ["plans"] = rows }.ToJsonString(MeridianJson.Indented));
            else CommonOptions.Console().Write(table);
            return Task.FromResult(0);
        }));
        return command;
    }
}
