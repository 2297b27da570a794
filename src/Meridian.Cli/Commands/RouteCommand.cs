using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Core.Latency;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Server.Steering;
using Meridian.Steering.Routing;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class RouteCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var json = CommonOptions.Json();
        var service = new Option<string>("--service") { Description = "Service, such as qwen3-max", Required = true };
        var lat = new Option<string>("--lat") { Description = "Client latitude", Required = true };
        var lon = new Option<string>("--lon") { Description = "Client longitude", Required = true };
        var country = new Option<string>("--country") { Description = "Client country (ISO 3166-1 alpha-2)", Required = true };
        var policy = new Option<string?>("--policy") { Description = "strict, preferred or global (default: the service's)" };
        var command = new Command("route", "Which region serves a client for a service, with the estimated RTT, the alternatives and why others are excluded " +
                                           "(health as configured; live health checks run in 'meridian serve')")
        {
            service, lat, lon, country, policy, db, json,
        };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var client = ClientLocations.Parse(parse.GetValue(lat), parse.GetValue(lon), parse.GetValue(country));
            using var store = await CommonOptions.OpenAsync(parse.GetValue(db)!, ct);
            var router = new RegionRouter(store.Current.World, new LatencyModel(), DateOnly.FromDateTime(DateTime.UtcNow));
            var s = parse.GetValue(service)!;
            if (!router.KnowsService(s)) throw RegistryException.Malformed(new FieldError("service", $"no service '{s}'"));
            var p = parse.GetValue(policy) is { } text ? ResourceFilter.ParseEnum<Residency>("policy", text) : (Residency?)null;
            var decision = router.Route(s, client, p);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    decision.Service, policy = decision.Policy.ToString().ToLowerInvariant(), region = decision.Choice?.Region,
                    rttMs = decision.Choice is { } c ? Math.Round(c.RttMs, 2) : (double?)null, decision.Alternatives, decision.Exclusions, decision.Problem,
                }, MeridianJson.Indented));
                return decision.Routed ? 0 : 2;
            }
            var console = CommonOptions.Console();
            if (!decision.Routed)
            {
                CommonOptions.Error(decision.Problem!, decision.Exclusions.Select(e => new FieldError(e.Region, e.Reason)).ToArray());
                return 2;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Rank", "Region", "Estimated RTT ms");
            var rank = 1;
            foreach (var c in new[] { decision.Choice! }.Concat(decision.Alternatives))
                table.AddRow($"{rank++}", c.Region, c.RttMs.ToString("0.0", CultureInfo.InvariantCulture));
            console.Write(table);
            console.MarkupLineInterpolated($"[green]{decision.Choice!.Region}[/] serves {s} for a client in {client.Country} under the {decision.Policy.ToString().ToLowerInvariant()} policy; {decision.Exclusions.Count} regions excluded (--json lists why).");
            return 0;
        }));
        return command;
    }
}
