using System.CommandLine;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Planning.Instances;
using Meridian.Planning.Solvers;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian plan</c>: facility location on OR-Library instances, expansion of the footprint and what-if
/// closures.</summary>
internal static partial class PlanCommand
{
    public static Command Create() => new("plan", "Plan the footprint: where to open next (owned or co-located), what a closure costs, and benchmark instances")
    {
        Orlib(), Expansion(), Close(),
    };

    private static Command Orlib()
    {
        var file = new Argument<FileInfo>("file") { Description = "An OR-Library facility-location file (Beasley's format), such as data/orlib/uncap/capa.txt" };
        var timeLimit = new Option<double>("--time-limit") { Description = "Seconds before the best solution and bound so far are reported", DefaultValueFactory = _ => new SolveOptions().TimeLimit.TotalSeconds };
        var solver = new Option<string>("--solver") { Description = "auto (Lagrangian branch and bound when capacities do not bind, else the MIP), lagrangian or mip (SCIP, strong formulation)", DefaultValueFactory = _ => "auto" };
        solver.AcceptOnlyFromAmong(FacilitySolver.Names);
        var uncapacitated = new Option<bool>("--uncapacitated") { Description = "Ignore the capacities in the file" };
        var json = CommonOptions.Json();
        var command = new Command("orlib", "Solve an OR-Library facility-location instance to proven optimality (or until the time limit) and report objective, bound and time")
        {
            file, timeLimit, solver, uncapacitated, json,
        };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(() =>
        {
            var path = parse.GetValue(file)!;
            var limit = parse.GetValue(timeLimit);
            var span = TimeLimits.FromSeconds(limit, "--time-limit");
            if (!path.Exists) throw new PlanningInputException("file", $"no file '{path.FullName}'");
            var instance = OrLibReader.Read(path.FullName);
            if (parse.GetValue(uncapacitated)) instance = instance.Uncapacitated();
            var options = new SolveOptions { TimeLimit = span, Cancellation = ct };
            var result = parse.GetValue(json) || Console.IsOutputRedirected
                ? FacilitySolver.Solve(instance, parse.GetValue(solver)!, options)
                : SolveWithProgress(instance, parse.GetValue(solver)!, options, limit);
            if (result.Status == SolveStatus.Infeasible)
                throw new PlanningInputException("file", $"{instance.Name} is infeasible: the facilities' capacities cannot serve the total demand");
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(new JsonObject
                {
                    ["objective"] = Finite(Math.Round(result.Objective, 5)), ["bound"] = Finite(Math.Round(result.Bound, 5)), ["optimal"] = result.Optimal,
                    ["seconds"] = Math.Round(result.Seconds, 3), ["gap"] = Finite(result.Gap), ["solver"] = result.Solver,
                    ["instance"] = instance.Name, ["facilities"] = instance.Facilities, ["customers"] = instance.Customers,
                    ["open"] = new JsonArray([.. result.Open.Select(i => (JsonNode)(i + 1))]), ["nodes"] = result.Nodes,
                }.ToJsonString(MeridianJson.Indented));
                return Task.FromResult(0);
            }
            var console = CommonOptions.Console();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Instance", "Size", "Solver", "Objective", "Bound", "Gap", "Optimal", "Open", "Seconds");
            table.AddRow(instance.Name, $"{instance.Facilities} x {instance.Customers}", result.Solver, $"{result.Objective:0.000}", $"{result.Bound:0.000}",
                $"{result.Gap:P4}", result.Optimal ? "[green]yes[/]" : "[yellow]no[/]", $"{result.Open.Count}", $"{result.Seconds:0.000}");
            console.Write(table);
            return Task.FromResult(0);
        }));
        return command;
    }

    /// <summary>A bar that fills as the gap between the best solution and the bound closes (or the time runs out).</summary>
    private static SolveResult SolveWithProgress(FacilityInstance instance, string solver, SolveOptions options, double limit)
    {
        SolveResult result = null!;
        AnsiConsole.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{instance.Name}: solving", maxValue: 1);
                result = FacilitySolver.Solve(instance, solver, options with
                {
                    Progress = new Progress<SolveProgress>(p =>
                    {
                        task.Description = double.IsFinite(p.Objective) ? $"{instance.Name}: best {p.Objective:0.###}, gap {p.Gap:P3}, {p.Nodes} nodes" : $"{instance.Name}: solving";
                        task.Value = Math.Max(task.Value, Math.Max(1 - Math.Min(1, p.Gap / 0.05), p.Seconds / limit));
                    }),
                });
                task.Value = 1;
            });
        return result;
    }

    private static JsonNode? Finite(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
