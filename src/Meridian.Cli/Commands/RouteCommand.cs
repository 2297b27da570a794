using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Client;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class RouteCommand
{
    public static Command Create()
    {
        var api = ApiOptions.Make();
        var json = CommonOptions.Json();
        var service = new Option<string>("--service") { Description = "Service, such as qwen3-max", Required = true };
        var lat = new Option<string>("--lat") { Description = "Client latitude", Required = true };
        var lon = new Option<string>("--lon") { Description = "Client longitude", Required = true };
        var country = new Option<string>("--country") { Description = "Client country (ISO 3166-1 alpha-2)", Required = true };
        var policy = new Option<string?>("--policy") { Description = "strict, preferred or global (default: the service's)" };
        var command = new Command("route", "Which region serves a client for a service, with the estimated RTT, the alternatives and why others are excluded " +
                                           "under the server's live health")
        {
            service, lat, lon, country, policy, json,
        };
        api.AddTo(command);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            using var client = api.Connect(parse);
            var s = parse.GetValue(service)!;
            var decision = await client.RouteAsync(s, parse.GetValue(lat), parse.GetValue(lon), parse.GetValue(country), parse.GetValue(policy), ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(decision, MeridianJson.Indented));
                return decision.Region is null ? 2 : 0;
            }
            var console = CommonOptions.Console();
            if (decision.Region is null)
            {
                CommonOptions.Error(decision.Problem ?? "no region may serve", (decision.Exclusions ?? []).Select(e => new FieldError(e.Region, e.Reason)).ToArray());
                return 2;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Rank", "Region", "Estimated RTT ms");
            var rank = 1;
            foreach (var c in new[] { new RouteChoice(decision.Region, decision.RttMs ?? 0) }.Concat(decision.Alternatives ?? []))
                table.AddRow($"{rank++}", Markup.Escape(c.Region), c.RttMs.ToString("0.0", CultureInfo.InvariantCulture));
            console.Write(table);
            console.MarkupLineInterpolated($"[green]{decision.Region}[/] serves {s} for a client in {decision.Country} ({decision.CountrySource}) under the {decision.Policy} policy; {decision.Exclusions?.Count ?? 0} regions excluded (--json lists why).");
            return 0;
        }));
        return command;
    }
}
