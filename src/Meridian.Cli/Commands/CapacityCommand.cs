using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Client;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class CapacityCommand
{
    public static Command Create()
    {
        var api = ApiOptions.Make();
        var json = CommonOptions.Json();
        var region = new Option<string?>("--region") { Description = "Only this region" };
        var zone = new Option<string?>("--zone") { Description = "Only this zone (shows its hosts)" };
        var boundary = new Option<string?>("--boundary") { Description = "Only regions inside this data boundary" };
        var command = new Command("capacity", "Allocatable, used and free vCPU, memory and GPUs per region and zone") { json, region, zone, boundary };
        api.AddTo(command);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            using var client = api.Connect(parse);
            var report = await client.CapacityAsync(parse.GetValue(region), parse.GetValue(zone), parse.GetValue(boundary), hosts: parse.GetValue(zone) is not null, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, MeridianJson.Indented));
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("Scope", "Hosts", "vCPU used/total", "GiB used/total", "GPUs used/total", "GPUs free", "GPUs stranded");
            void Row(string scope, CapacityLine l) => table.AddRow(Markup.Escape(scope), l.Hosts.ToString(CultureInfo.InvariantCulture),
                $"{l.Used.Vcpu:0}/{l.Total.Vcpu:0}", $"{l.Used.MemoryGiB:0}/{l.Total.MemoryGiB:0}", $"{l.Used.Gpus:0.##}/{l.Total.Gpus:0}", $"{l.Free.Gpus:0.##}", $"{l.StrandedGpus:0.##}");
            Row("all", report.All);
            foreach (var line in report.Regions) Row($"region {line.Id}", line);
            foreach (var line in report.Zones) Row($"  zone {line.Id}", line);
            foreach (var line in report.Hosts ?? []) Row($"    host {line.Id}", line);
            CommonOptions.Console().Write(table);
            return 0;
        }));
        return command;
    }
}
