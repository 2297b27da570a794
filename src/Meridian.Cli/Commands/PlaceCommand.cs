using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Placement.Model;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class PlaceCommand
{
    public static Command Create()
    {
        var api = ApiOptions.Make();
        var json = CommonOptions.Json();
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Workload spec as JSON (the body of POST /api/v1/workloads); flags below override it" };
        var tenant = new Option<string?>("--tenant") { Description = "Tenant owning the workload" };
        var name = new Option<string?>("--name") { Description = "Workload name, unique per tenant" };
        var replicas = new Option<int?>("--replicas") { Description = "Number of replicas" };
        var vcpu = new Option<double?>("--vcpu") { Description = "vCPU per replica" };
        var memory = new Option<double?>("--memory-gib") { Description = "Memory per replica in GiB" };
        var gpus = new Option<int?>("--gpus") { Description = "GPUs per replica" };
        var gpuShare = new Option<double?>("--gpu-share") { Description = "Share of one GPU for GPU-sharing replicas, from 0.001 to 1 (with --gpus 1)" };
        var boundary = new Option<string?>("--boundary") { Description = "Keep replicas inside this data boundary (EU, CN, US, ...)" };
        var regions = new Option<string[]>("--region") { Description = "Allowed region (repeat for several)", AllowMultipleArgumentsPerToken = true };
        var minZones = new Option<int?>("--min-zones") { Description = "Spread over at least this many zones" };
        var maxSkew = new Option<int?>("--max-skew") { Description = "Largest difference in replicas between zones used (default 1 with --min-zones)" };
        var distinct = new Option<bool>("--distinct-hosts") { Description = "At most one replica per host" };
        var strategy = new Option<PlacementStrategy?>("--strategy") { Description = "Spread (many zones, least-loaded hosts), Pack (fewest hosts) or Fragmentation (many zones; the hosts where the GPUs the current workload mix cannot use grow least; where whole GPUs are scarce it keeps them for whole-GPU work, refusing a share that would open one, unless the server sets Placement:KeepWholeGpus false). Default: Fragmentation for GPU workloads, Spread otherwise" };

        var command = new Command("place", "Place a workload's replicas on hosts, all or none, and record them in the ledger")
        {
            json, file, tenant, name, replicas, vcpu, memory, gpus, gpuShare, boundary, regions, minZones, maxSkew, distinct, strategy,
        };
        api.AddTo(command);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var node = parse.GetValue(file) is { } f
                ? JsonNode.Parse(await File.ReadAllTextAsync(f.FullName, ct)) as JsonObject ?? throw RegistryException.Malformed(new FieldError("file", "is not a JSON object"))
                : new JsonObject();
            void Set(string path, JsonNode? value)
            {
                if (value is null) return;
                var parts = path.Split('.');
                var target = node;
                foreach (var p in parts[..^1])
                    target = (target[p] ??= new JsonObject()) as JsonObject ?? throw RegistryException.Malformed(new FieldError(p, "in --file is not a JSON object"));
                target[parts[^1]] = value;
            }
            Set("tenant", parse.GetValue(tenant));
            Set("name", parse.GetValue(name));
            Set("replicas", parse.GetValue(replicas));
            Set("resources.vcpu", parse.GetValue(vcpu));
            Set("resources.memoryGiB", parse.GetValue(memory));
            Set("resources.gpus", parse.GetValue(gpus));
            Set("resources.gpuShare", parse.GetValue(gpuShare));
            Set("constraints.boundary", parse.GetValue(boundary));
            if (parse.GetValue(regions) is { Length: > 0 } rs) Set("constraints.regions", new JsonArray(rs.Select(r => (JsonNode)r).ToArray()));
            if (parse.GetValue(minZones) is { } mz) Set("constraints.spread", new JsonObject { ["minZones"] = mz, ["maxSkew"] = parse.GetValue(maxSkew) ?? 1 });
            if (parse.GetValue(distinct)) Set("constraints.distinctHosts", true);
            if (parse.GetValue(strategy) is { } s) Set("strategy", s.ToString());

            using var client = api.Connect(parse);
            var workload = await client.PlaceAsync(node, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(workload.Spec!.ToJsonString(MeridianJson.Indented));
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Replica", "Host", "Zone", "Region", "vCPU", "GiB", "GPUs");
            foreach (var a in workload.Allocations)
            {
                table.AddRow(a.Replica.ToString(CultureInfo.InvariantCulture), Markup.Escape(a.Host), Markup.Escape(a.Zone), Markup.Escape(a.Region),
                    a.Vcpu.ToString("0.###", CultureInfo.InvariantCulture), a.MemoryGiB.ToString("0.###", CultureInfo.InvariantCulture),
                    string.Join(" ", (a.Gpus ?? []).Select(g => g.Share >= 1 ? $"#{g.Index}" : $"#{g.Index}:{g.Share.ToString("0.###", CultureInfo.InvariantCulture)}")));
            }
            var console = CommonOptions.Console();
            console.Write(table);
            console.MarkupLineInterpolated($"[green]placed[/] {workload.Id} ({workload.Tenant}/{workload.Name}): {workload.Allocations.Count} replicas in {workload.Allocations.Select(a => a.Zone).Distinct().Count()} zones.");
            return 0;
        }));
        return command;
    }
}
