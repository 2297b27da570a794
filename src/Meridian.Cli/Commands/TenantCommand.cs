using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Client;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian tenant create|list|show|quota|delete</c>: tenants, their quotas and usage, through the API.</summary>
internal static class TenantCommand
{
    public static Command Create()
    {
        var command = new Command("tenant", "Create tenants, set their quotas, and see what they use");
        command.Subcommands.Add(CreateTenant());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Quota());
        command.Subcommands.Add(Delete());
        return command;
    }

    private sealed record QuotaOptions(Option<double?> Vcpu, Option<double?> Memory, Option<double?> Gpus, Option<string[]> ByModel)
    {
        public static QuotaOptions Make() => new(
            new Option<double?>("--vcpu") { Description = "Most vCPU its workloads may hold" },
            new Option<double?>("--memory-gib") { Description = "Most memory (GiB) its workloads may hold" },
            new Option<double?>("--gpus") { Description = "Most GPUs its workloads may hold (a shared GPU counts its share)" },
            new Option<string[]>("--gpus-of") { Description = "Most GPUs of a model, as MODEL=N (repeat for several), such as H100=8", AllowMultipleArgumentsPerToken = true });

        public void AddTo(Command c)
        {
            c.Options.Add(Vcpu);
            c.Options.Add(Memory);
            c.Options.Add(Gpus);
            c.Options.Add(ByModel);
        }

        public Dictionary<string, double> Models(ParseResult parse)
        {
            var byModel = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var entry in parse.GetValue(ByModel) ?? [])
            {
                var parts = entry.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
                    throw RegistryException.Invalid([new("--gpus-of", $"'{entry}' is not MODEL=N, such as H100=8")]);
                byModel[parts[0]] = n;
            }
            return byModel;
        }

        /// <summary>The quota as a JSON merge patch: given limits are set; with <paramref name="clear"/> every limit not
        /// given is removed (null), including models of <paramref name="current"/> not named.</summary>
        public JsonObject Patch(ParseResult parse, bool clear, Client.TenantQuota? current)
        {
            var patch = new JsonObject();
            void Limit(string field, double? value)
            {
                if (value is { } v) patch[field] = v;
                else if (clear) patch[field] = null;
            }
            Limit("vcpu", parse.GetValue(Vcpu));
            Limit("memoryGiB", parse.GetValue(Memory));
            Limit("gpus", parse.GetValue(Gpus));
            var models = Models(parse);
            if (models.Count == 0 && clear) patch["gpusByModel"] = null;
            else if (models.Count > 0)
            {
                var byModel = new JsonObject();
                if (clear)
                    foreach (var m in current?.GpusByModel?.Keys ?? []) byModel[m] = null;
                foreach (var (m, n) in models) byModel[m] = n;
                patch["gpusByModel"] = byModel;
            }
            return patch;
        }
    }

    private static Command CreateTenant()
    {
        var api = ApiOptions.Make();
        var id = new Argument<string>("id") { Description = "The tenant's id: lower-case letters, digits and inner hyphens" };
        var description = new Option<string?>("--description") { Description = "What the tenant is" };
        var quota = QuotaOptions.Make();
        var command = new Command("create", "Create a tenant; quotas left out are unlimited") { id, description };
        quota.AddTo(command);
        api.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, api, async client =>
        {
            var models = quota.Models(parse);
            var q = new Client.TenantQuota(parse.GetValue(quota.Vcpu), parse.GetValue(quota.Memory), parse.GetValue(quota.Gpus), models.Count > 0 ? models : null);
            var view = await client.CreateTenantAsync(parse.GetValue(id)!, parse.GetValue(description), q, ct);
            Console.Error.WriteLine($"meridian: created tenant {view.Id}");
        }));
        return command;
    }

    private static Command Quota()
    {
        var api = ApiOptions.Make();
        var id = new Argument<string>("id") { Description = "The tenant" };
        var quota = QuotaOptions.Make();
        var clear = new Option<bool>("--clear") { Description = "Remove every quota first (then only those given here apply)" };
        var command = new Command("quota", "Set a tenant's quotas; those not given keep their value") { id, clear };
        quota.AddTo(command);
        api.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, api, async client =>
        {
            var tenantId = parse.GetValue(id)!;
            var current = await client.GetTenantAsync(tenantId, ct) ?? throw RegistryException.NotFound("tenant", tenantId);
            // If-Match: a quota someone else changed since the read is refused (412), never silently overwritten.
            var view = await client.PatchTenantAsync(tenantId, new JsonObject { ["quota"] = quota.Patch(parse, parse.GetValue(clear), current.Quota) }, current.ETag, ct);
            Write(view);
        }));
        return command;
    }

    private static Command List()
    {
        var api = ApiOptions.Make();
        var json = CommonOptions.Json();
        var command = new Command("list", "List tenants with their quotas and usage") { json };
        api.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, api, async client =>
        {
            var list = await client.ListTenantsAsync(ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(list.Select(v => new { v.Id, v.Description, v.Quota, v.Usage }), MeridianJson.Indented));
                return;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Tenant", "Workloads", "vCPU", "Memory GiB", "GPUs", "GPUs by model");
            foreach (var v in list)
            {
                var q = v.Quota;
                table.AddRow(Markup.Escape(v.Id), v.Usage.Workloads.ToString(CultureInfo.InvariantCulture), Of(v.Usage.Vcpu, q?.Vcpu), Of(v.Usage.MemoryGiB, q?.MemoryGiB), Of(v.Usage.Gpus, q?.Gpus),
                    Markup.Escape(string.Join(", ", (q?.GpusByModel ?? new Dictionary<string, double>()).Keys.Union(v.Usage.GpusByModel.Keys).Order(StringComparer.Ordinal)
                        .Select(m => $"{m} {Of(v.Usage.GpusByModel.GetValueOrDefault(m), q?.GpusByModel?.GetValueOrDefault(m))}"))));
            }
            CommonOptions.Console().Write(table);
        }));
        return command;
    }

    private static Command Show()
    {
        var api = ApiOptions.Make();
        var id = new Argument<string>("id") { Description = "The tenant" };
        var command = new Command("show", "A tenant's quotas and what its workloads hold, as JSON") { id };
        api.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, api, async client =>
            Write(await client.GetTenantAsync(parse.GetValue(id)!, ct) ?? throw RegistryException.NotFound("tenant", parse.GetValue(id)!))));
        return command;
    }

    private static Command Delete()
    {
        var api = ApiOptions.Make();
        var id = new Argument<string>("id") { Description = "The tenant" };
        var command = new Command("delete", "Delete a tenant that has no workloads and no usable member tokens") { id };
        api.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, api, async client =>
        {
            if (!await client.DeleteTenantAsync(parse.GetValue(id)!, ct)) throw RegistryException.NotFound("tenant", parse.GetValue(id)!);
            Console.Error.WriteLine($"meridian: deleted tenant {parse.GetValue(id)}");
        }));
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, ApiOptions api, Func<MeridianClient, Task> body) => CommonOptions.RunAsync(async () =>
    {
        using var client = api.Connect(parse);
        await body(client);
        return 0;
    });

    private static void Write(TenantView v) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(new { v.Id, v.Description, v.Quota, v.Usage, Version = v.ETag?.Trim('"') }, MeridianJson.Indented));

    private static string Of(double used, double? limit) =>
        used.ToString("0.###", CultureInfo.InvariantCulture) + (limit is { } l ? $" / {l.ToString("0.###", CultureInfo.InvariantCulture)}" : "");
}
