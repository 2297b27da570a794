using System.Net;
using System.Text;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Storage;

namespace Meridian.Server.Pages;

/// <summary>The footprint as a plain table of regions, zones and facilities at /footprint, rendered on the server so it
/// needs no script; it is also "/" when the console was not built.</summary>
internal static class HomePage
{
    public static void MapHomePage(this IEndpointRouteBuilder app, string path) =>
        app.MapGet(path, (IWorldStore store, TimeProvider time) =>
                Results.Content(Render(store.Current.World, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)), "text/html; charset=utf-8"))
            .ExcludeFromDescription();

    internal static string Render(World world, DateOnly today)
    {
        var html = new StringBuilder();
        var inService = world.Regions.Values.Count(r => Status(r.History, today) is LifecycleStatus.Live or LifecycleStatus.Draining);
        html.Append($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Meridian: footprint</title>
            <style>
              body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem; color: #1b1f24; }
              h1 { font-size: 1.4rem; margin-bottom: .2rem } p.lead { color: #555; margin-top: 0 }
              table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
              th { background: #f4f6f8; position: sticky; top: 0 } td small { color: #666 }
              .s { border-radius: 4px; padding: 0 .4rem; font-size: .85em; white-space: nowrap }
              .Live { background: #d9f2e1 } .Draining { background: #fdf0cf } .Closed { background: #eee; color: #666 }
              .Planned, .UnderConstruction { background: #dde9fb } nav a { margin-right: 1rem }
            </style></head><body>
            <h1>Meridian</h1>
            <p class="lead">{{world.Regions.Count}} regions ({{inService}} in service), {{world.Zones.Count}} zones, {{world.Facilities.Count}} facilities, {{world.Hosts.Count}} hosts, as of {{today:yyyy-MM-dd}}.</p>
            <nav><a href="/">Console</a><a href="/swagger">API reference</a><a href="/openapi/v1.json">OpenAPI document</a><a href="/api/v1/regions">/api/v1/regions</a><a href="/api/v1/changes">Change log</a></nav>
            <h2>Regions</h2>
            <table><thead><tr><th>Region</th><th>Location</th><th>Status</th><th>Zones</th><th>Facilities</th><th>Services</th></tr></thead><tbody>
            """);
        foreach (var region in world.Regions.Values.OrderBy(r => r.Country, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            var zones = world.ZonesOf(region.Id).Select(z => $"{E(z.Id)} {Badge(Status(z.History, today))}");
            var facilities = world.FacilitiesOf(region.Id).Select(f =>
                $"{E(f.Name)} <small>{f.Ownership}{(f.Support is { } s ? $", {E(s.Hours)} {E(string.Join(" and ", s.Roles))}" : "")}</small> {Badge(Status(f.History, today))}");
            html.Append($"<tr id=\"{E(region.Id)}\"><td><b>{E(region.Id)}</b><br><small>{E(region.Name)}</small></td>")
                .Append($"<td>{E(region.City)}, {E(region.Country)}</td><td>{Badge(Status(region.History, today))}<br><small>{Since(region.History)}</small></td>")
                .Append($"<td>{string.Join("<br>", zones)}</td><td>{string.Join("<br>", facilities)}</td>")
                .Append($"<td><small>{E(string.Join(", ", region.Services))}</small></td></tr>\n");
        }
        html.Append("</tbody></table>");
        var unassigned = world.Facilities.Values.Where(f => f.RegionId is null).ToArray();
        if (unassigned.Length > 0)
        {
            html.Append("<h2>Announced sites without a region</h2><ul>");
            foreach (var f in unassigned) html.Append($"<li>{E(f.Name)} ({E(f.City)}, {E(f.Country)}) {Badge(Status(f.History, today))} <small>{Since(f.History)}</small></li>");
            html.Append("</ul>");
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static LifecycleStatus? Status(IReadOnlyList<LifecycleEvent> history, DateOnly today) => LifecycleRules.StatusOn(history, today);

    private static string Badge(LifecycleStatus? status) =>
        status is { } s ? $"<span class=\"s {s}\">{s}</span>" : "<span class=\"s Planned\">not yet</span>";

    private static string Since(IReadOnlyList<LifecycleEvent> history)
    {
        var last = history[^1];
        return $"{last.Status} since {last.On:yyyy-MM-dd}{(last.Estimated ? " (estimated)" : "")}";
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
