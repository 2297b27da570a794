using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class RegionsCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var json = CommonOptions.Json();
        var asOf = new Option<string?>("--as-of") { Description = "Show the footprint on this date (YYYY-MM-DD): regions in service then, with their status then" };
        var country = new Option<string?>("--country") { Description = "Only regions in this country (ISO 3166-1 alpha-2, such as DE)" };
        var status = new Option<string?>("--status") { Description = "Only regions with these statuses, comma-separated (Planned, UnderConstruction, Live, Draining, Closed), or 'any'" };
        var boundary = new Option<string?>("--boundary") { Description = "Only regions inside this data boundary (such as EU, CN, US)" };
        var service = new Option<string?>("--service") { Description = "Only regions offering this service (such as qwen3-max)" };

        var list = new Command("list", "List regions with their status, zones and services") { db, json, asOf, country, status, boundary, service };
        list.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            using var store = await CommonOptions.OpenAsync(parse.GetValue(db)!, ct);
            var world = store.Current.World;
            var filter = ResourceFilter.Parse(Kinds.Regions, new Dictionary<string, string?>
            {
                ["asOf"] = parse.GetValue(asOf), ["country"] = parse.GetValue(country), ["status"] = parse.GetValue(status),
                ["boundary"] = parse.GetValue(boundary), ["service"] = parse.GetValue(service),
            }, world, DateOnly.FromDateTime(DateTime.UtcNow));
            var regions = world.Regions.Values.Where(r => filter.Matches(r, world)).ToArray();

            if (parse.GetValue(json))
            {
                var items = new JsonArray(regions.Select(r => (JsonNode)ResourceViews.Of(r, world, filter.ViewDate)).ToArray());
                Console.Out.WriteLine(new JsonObject { ["items"] = items }.ToJsonString(MeridianJson.Indented));
                return 0;
            }
            // Ids, statuses and dates never wrap; names and model lists take what width is left.
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("Region").NoWrap()).AddColumn("Name").AddColumn(new TableColumn("CC").NoWrap())
                .AddColumn(new TableColumn("Status").NoWrap()).AddColumn(new TableColumn("Since").NoWrap())
                .AddColumn(new TableColumn("Zones").NoWrap().RightAligned()).AddColumn("Models");
            foreach (var r in regions)
            {
                var s = LifecycleRules.StatusOn(r.History, filter.ViewDate);
                var since = r.History.LastOrDefault(e => e.On <= filter.ViewDate);
                var zones = world.ZonesOf(r.Id).Count(z => LifecycleRules.StatusOn(z.History, filter.ViewDate) is { } zs && LifecycleRules.InService.Contains(zs));
                var models = r.Services.Where(id => world.Services.Find(id)?.Kind == ServiceKind.ModelEndpoint);
                table.AddRow(Markup.Escape(r.Id), Markup.Escape(r.Name), r.Country, Colour(s),
                    since is null ? "" : $"{(since.Estimated ? "~" : "")}{since.On:yyyy-MM-dd}",
                    zones.ToString(CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", models)));
            }
            var console = CommonOptions.Console();
            console.Write(table);
            console.MarkupLine($"{regions.Length} regions{(filter.AsOf is { } d ? $" in service on {d:yyyy-MM-dd}" : "")}. Zones: in service; ~: estimated date.");
            return 0;
        }));

        return new Command("regions", "Work with regions") { list };
    }

    private static string Colour(LifecycleStatus? s) => s switch
    {
        LifecycleStatus.Live => "[green]Live[/]",
        LifecycleStatus.Draining => "[yellow]Draining[/]",
        LifecycleStatus.Closed => "[grey]Closed[/]",
        null => "[grey]-[/]",
        _ => $"[blue]{s}[/]",
    };
}
