using System.CommandLine;
using System.Text.Json;
using Meridian.Core.Serialization;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class DrainCommand
{
    public static Command Create()
    {
        var api = ApiOptions.Make();
        var json = CommonOptions.Json();
        var facility = new Argument<string>("FACILITY") { Description = "Facility id, such as lon1" };
        var apply = new Option<bool>("--apply") { Description = "Mark the facility Draining and move the replicas now (otherwise only show the plan)" };
        var command = new Command("drain", "Show how a facility's replicas would move under their original constraints, changing nothing; with --apply, mark it Draining and move them. Exits 3 when some cannot move") { facility, apply, json };
        api.AddTo(command);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var id = parse.GetValue(facility)!;
            using var client = api.Connect(parse);
            var plan = await client.DrainAsync(id, parse.GetValue(apply), ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(plan, MeridianJson.Indented));
                return plan.Stuck.Count == 0 ? 0 : 3;
            }
            var console = CommonOptions.Console();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Workload", "Replica", "From", "To", "Zone");
            foreach (var m in plan.Moves) table.AddRow(Markup.Escape(m.Workload), $"{m.Replica}", Markup.Escape(m.From), Markup.Escape(m.To.Host), Markup.Escape(m.To.Zone));
            foreach (var s in plan.Stuck) table.AddRow(Markup.Escape(s.Workload), $"{s.Replica}", Markup.Escape(s.Host), "[red]stays[/]", Markup.Escape(s.Reason));
            console.Write(table);
            console.MarkupLineInterpolated($"{(parse.GetValue(apply) ? "moved" : "would move")} {plan.Moves.Count}, cannot move {plan.Stuck.Count}; {plan.Remaining} replica(s) on {id} now.");
            return plan.Stuck.Count == 0 ? 0 : 3;
        }));
        return command;
    }
}
