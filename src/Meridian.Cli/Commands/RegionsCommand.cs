using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Serialization;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class RegionsCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var asOf = new Option<string?>("--as-of") { Description = "Show the footprint on this date (YYYY-MM-DD): regions in service then, with their status then" };
        var country = new Option<string?>("--country") { Description = "Only regions in this country (ISO 3166-1 alpha-2, such as DE)" };
        var status = new Option<string?>("--status") { Description = "Only regions with these statuses, comma-separated (Planned, UnderConstruction, Live, Draining, Closed), or 'any'" };
        var boundary = new Option<string?>("--boundary") { Description = "Only regions inside this data boundary (such as EU, CN, US)" };
        var service = new Option<string?>("--service") { Description = "Only regions offering this service (such as qwen3-max)" };

        var api = ApiOptions.Make();
        var list = new Command("list", "List regions with their status, zones and services") { json, asOf, country, status, boundary, service };
        api.AddTo(list);
        list.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            using var client = api.Connect(parse);
            var filters = new Dictionary<string, string?>
            {
                ["asOf"] = parse.GetValue(asOf), ["country"] = parse.GetValue(country), ["status"] = parse.GetValue(status),
                ["boundary"] = parse.GetValue(boundary), ["service"] = parse.GetValue(service),
            };
            if (parse.GetValue(json))
            {
                // The API's own views, whole, for scripts.
                var items = await client.ListResourcesAsync("regions", filters, ct);
                Console.Out.WriteLine(JsonSerializer.Serialize(new { items }, MeridianJson.Indented));
                return 0;
            }
            var regions = await client.ListRegionsAsync(filters, ct);
            var models = (await client.ListServicesAsync(ct)).Where(s => s.Kind == nameof(ServiceKind.ModelEndpoint)).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            var viewDate = parse.GetValue(asOf) is { } d ? DateOnly.Parse(d, CultureInfo.InvariantCulture) : DateOnly.FromDateTime(DateTime.UtcNow);
            // Ids, statuses and dates never wrap; names and model lists take what width is left.
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("Region").NoWrap()).AddColumn("Name").AddColumn(new TableColumn("CC").NoWrap())
                .AddColumn(new TableColumn("Status").NoWrap()).AddColumn(new TableColumn("Since").NoWrap())
                .AddColumn(new TableColumn("Zones").NoWrap().RightAligned()).AddColumn("Models");
            foreach (var r in regions)
            {
                var since = r.History.LastOrDefault(e => e.On <= viewDate);
                var zones = r.Zones.Count(z => z.Status is nameof(LifecycleStatus.Live) or nameof(LifecycleStatus.Draining));
                table.AddRow(Markup.Escape(r.Id), Markup.Escape(r.Name), Markup.Escape(r.Country), Colour(r.Status),
                    since is null ? "" : $"{(since.Estimated ? "~" : "")}{since.On:yyyy-MM-dd}",
                    zones.ToString(CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", r.Services.Where(models.Contains))));
            }
            var console = CommonOptions.Console();
            console.Write(table);
            console.MarkupLine($"{regions.Count} regions{(parse.GetValue(asOf) is not null ? $" in service on {viewDate:yyyy-MM-dd}" : "")}. Zones: in service; ~: estimated date.");
            return 0;
        }));

        return new Command("regions", "Work with regions") { list };
    }

    private static string Colour(string? s) => s switch
    {
        nameof(LifecycleStatus.Live) => "[green]Live[/]",
        nameof(LifecycleStatus.Draining) => "[yellow]Draining[/]",
        nameof(LifecycleStatus.Closed) => "[grey]Closed[/]",
        null => "[grey]-[/]",
        _ => $"[blue]{Markup.Escape(s)}[/]",
    };
}
