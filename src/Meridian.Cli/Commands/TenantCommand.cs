using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Storage.Ledger;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian tenant create|list|show|quota|delete</c>: tenants, their quotas and usage, on a database.</summary>
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

        public TenantQuota Apply(ParseResult parse, TenantQuota? current)
        {
            var q = current ?? new TenantQuota();
            var byModel = new Dictionary<string, double>(q.GpusByModel ?? new Dictionary<string, double>(), StringComparer.Ordinal);
            foreach (var entry in parse.GetValue(ByModel) ?? [])
            {
                var parts = entry.Split('=', 2);
                if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
                    throw RegistryException.Invalid([new("--gpus-of", $"'{entry}' is not MODEL=N, such as H100=8")]);
                byModel[parts[0]] = n;
            }
            return q with
            {
                Vcpu = parse.GetValue(Vcpu) ?? q.Vcpu,
                MemoryGiB = parse.GetValue(Memory) ?? q.MemoryGiB,
                Gpus = parse.GetValue(Gpus) ?? q.Gpus,
                GpusByModel = byModel.Count > 0 ? byModel : null,
            };
        }
    }

    private static Option<string> Actor() => new("--actor") { Description = "Name recorded in the change log", DefaultValueFactory = _ => $"{Environment.UserName} (cli)" };

    private static Command CreateTenant()
    {
        var db = CommonOptions.Database();
        var id = new Argument<string>("id") { Description = "The tenant's id: lower-case letters, digits and inner hyphens" };
        var description = new Option<string?>("--description") { Description = "What the tenant is" };
        var quota = QuotaOptions.Make();
        var actor = Actor();
        var command = new Command("create", "Create a tenant; quotas left out are unlimited") { db, id, description, actor };
        quota.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, db, ct, async ledger =>
        {
            var view = await ledger.CreateTenantAsync(new Tenant(parse.GetValue(id)!, parse.GetValue(description), quota.Apply(parse, null)), parse.GetValue(actor)!, ct);
            Console.Error.WriteLine($"meridian: created tenant {view.Tenant.Id}");
        }));
        return command;
    }

    private static Command Quota()
    {
        var db = CommonOptions.Database();
        var id = new Argument<string>("id") { Description = "The tenant" };
        var quota = QuotaOptions.Make();
        var clear = new Option<bool>("--clear") { Description = "Remove every quota first (then only those given here apply)" };
        var actor = Actor();
        var command = new Command("quota", "Set a tenant's quotas; those not given keep their value") { db, id, clear, actor };
        quota.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, db, ct, async ledger =>
        {
            var view = await ledger.UpdateTenantAsync(parse.GetValue(id)!, null,
                t => t with { Quota = quota.Apply(parse, parse.GetValue(clear) ? null : t.Quota) }, parse.GetValue(actor)!, ct);
            Write(view);
        }));
        return command;
    }

    private static Command List()
    {
        var db = CommonOptions.Database();
        var json = CommonOptions.Json();
        var command = new Command("list", "List tenants with their quotas and usage") { db, json };
        command.SetAction((parse, ct) => RunAsync(parse, db, ct, async ledger =>
        {
            var list = await ledger.ListTenantsAsync(ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(list.Select(v => new { v.Tenant.Id, v.Tenant.Description, v.Tenant.Quota, v.Usage }), MeridianJson.Indented));
                return;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Tenant", "Workloads", "vCPU", "Memory GiB", "GPUs", "GPUs by model");
            foreach (var v in list)
            {
                var q = v.Tenant.Quota;
                table.AddRow(v.Tenant.Id, v.Usage.Workloads.ToString(CultureInfo.InvariantCulture), Of(v.Usage.Vcpu, q?.Vcpu), Of(v.Usage.MemoryGiB, q?.MemoryGiB), Of(v.Usage.Gpus, q?.Gpus),
                    Markup.Escape(string.Join(", ", (q?.GpusByModel ?? new Dictionary<string, double>()).Keys.Union(v.Usage.GpusByModel.Keys).Order(StringComparer.Ordinal)
                        .Select(m => $"{m} {Of(v.Usage.GpusByModel.GetValueOrDefault(m), q?.GpusByModel?.GetValueOrDefault(m))}"))));
            }
            CommonOptions.Console().Write(table);
        }));
        return command;
    }

    private static Command Show()
    {
        var db = CommonOptions.Database();
        var id = new Argument<string>("id") { Description = "The tenant" };
        var command = new Command("show", "A tenant's quotas and what its workloads hold, as JSON") { db, id };
        command.SetAction((parse, ct) => RunAsync(parse, db, ct, async ledger =>
            Write(await ledger.GetTenantAsync(parse.GetValue(id)!, ct) ?? throw RegistryException.NotFound("tenant", parse.GetValue(id)!))));
        return command;
    }

    private static Command Delete()
    {
        var db = CommonOptions.Database();
        var id = new Argument<string>("id") { Description = "The tenant" };
        var actor = Actor();
        var command = new Command("delete", "Delete a tenant that has no workloads and no usable member tokens") { db, id, actor };
        command.SetAction((parse, ct) => RunAsync(parse, db, ct, async ledger =>
        {
            if (!await ledger.DeleteTenantAsync(parse.GetValue(id)!, null, parse.GetValue(actor)!, ct)) throw RegistryException.NotFound("tenant", parse.GetValue(id)!);
            Console.Error.WriteLine($"meridian: deleted tenant {parse.GetValue(id)}");
        }));
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, Option<string> db, CancellationToken ct, Func<AllocationLedger, Task> body) => CommonOptions.RunAsync(async () =>
    {
        using var store = await CommonOptions.OpenAsync(parse.GetValue(db)!, ct);
        using var ledger = new AllocationLedger(store);
        await body(ledger);
        return 0;
    });

    private static void Write(AllocationLedger.TenantView v) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(new { v.Tenant.Id, v.Tenant.Description, v.Tenant.Quota, v.Usage, v.Version }, MeridianJson.Indented));

    private static string Of(double used, double? limit) =>
        used.ToString("0.###", CultureInfo.InvariantCulture) + (limit is { } l ? $" / {l.ToString("0.###", CultureInfo.InvariantCulture)}" : "");
}
