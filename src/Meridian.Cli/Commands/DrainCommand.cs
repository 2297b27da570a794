using System.CommandLine;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Storage.Ledger;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class DrainCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var json = CommonOptions.Json();
        var facility = new Argument<string>("FACILITY") { Description = "Facility id, such as lon1" };
        var apply = new Option<bool>("--apply") { Description = "Mark the facility Draining and move the replicas now (otherwise only show the plan)" };
        var actor = new Option<string>("--actor") { Description = "Name recorded in the change log", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command("drain", "Show how a facility's replicas would move under their original constraints, changing nothing; with --apply, mark it Draining and move them. Exits 3 when some cannot move") { facility, db, apply, json, actor };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var id = parse.GetValue(facility)!;
            using var store = await CommonOptions.OpenAsync(parse.GetValue(db)!, ct);
            using var ledger = new AllocationLedger(store);
            var (plan, remaining) = await ledger.DrainFacilityAsync(id, parse.GetValue(apply), parse.GetValue(actor)!, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { plan.FacilityId, applied = parse.GetValue(apply), plan.Moves, plan.Stuck, remaining }, MeridianJson.Indented));
                return 0;
            }
            var console = CommonOptions.Console();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Workload", "Replica", "From", "To", "Zone");
            foreach (var m in plan.Moves) table.AddRow(m.WorkloadId, $"{m.Replica}", m.FromHost, m.To.HostId, m.To.ZoneId);
            foreach (var s in plan.Stuck) table.AddRow(s.WorkloadId, $"{s.Replica}", s.Host, "[red]stays[/]", Markup.Escape(s.Reason));
            console.Write(table);
            console.MarkupLineInterpolated($"{(parse.GetValue(apply) ? "moved" : "would move")} {plan.Moves.Count}, cannot move {plan.Stuck.Count}; {remaining} replica(s) on {id} now.");
            return plan.Stuck.Count == 0 ? 0 : 3;
        }));
        return command;
    }
}
