using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Validation;
using Meridian.Placement.Model;

namespace Meridian.Storage.Ledger;

/// <summary>A tenant: whose workloads these are, and how much they may hold (Kubernetes' ResourceQuota, OpenStack's
/// project quotas). A quota left out is unlimited.</summary>
public sealed record Tenant(string Id, string? Description = null, TenantQuota? Quota = null);

/// <summary>Limits on what a tenant's workloads hold in total: vCPU, memory (GiB), GPUs (a shared GPU counts its share),
/// and GPUs of a model (such as {"H100": 8}).</summary>
public sealed record TenantQuota(double? Vcpu = null, double? MemoryGiB = null, double? Gpus = null, IReadOnlyDictionary<string, double>? GpusByModel = null);

/// <summary>What a tenant's workloads hold.</summary>
public sealed record TenantUsage(double Vcpu, double MemoryGiB, double Gpus, IReadOnlyDictionary<string, double> GpusByModel, int Workloads, int Replicas)
{
    public static readonly TenantUsage None = new(0, 0, 0, new Dictionary<string, double>(), 0, 0);

    public static TenantUsage Of(IEnumerable<Allocation> allocations, World world, int workloads)
    {
        double vcpu = 0, memory = 0, gpus = 0;
        var replicas = 0;
        var byModel = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var a in allocations)
        {
            replicas++;
            vcpu += a.VcpuMilli / 1000.0;
            memory += a.MemoryMiB / 1024.0;
            var share = a.Gpus.Sum(g => g.Milli) / 1000.0;
            gpus += share;
            if (share > 0 && world.Hosts.Find(a.HostId)?.GpuModel is { } model) byModel[model] = byModel.GetValueOrDefault(model) + share;
        }
        return new TenantUsage(vcpu, memory, gpus, byModel, workloads, replicas);
    }

    public TenantUsage Plus(TenantUsage more)
    {
        var byModel = new SortedDictionary<string, double>(GpusByModel.ToDictionary(), StringComparer.Ordinal);
        foreach (var (model, n) in more.GpusByModel) byModel[model] = byModel.GetValueOrDefault(model) + n;
        return new TenantUsage(Vcpu + more.Vcpu, MemoryGiB + more.MemoryGiB, Gpus + more.Gpus, byModel, Workloads + more.Workloads, Replicas + more.Replicas);
    }
}

public static class Quotas
{
    /// <summary>The first quota that <paramref name="after"/> (usage with the new workload) exceeds, as a field error
    /// naming the quota, its limit, the usage before and what the workload asks for; null when all hold.</summary>
    public static FieldError? Exceeded(Tenant tenant, TenantUsage before, TenantUsage after)
    {
        var q = tenant.Quota;
        if (q is null) return null;
        static bool Over(double? limit, double value) => limit is { } l && value > l + 1e-9;
        static string N(double v) => Math.Round(v, 3).ToString(System.Globalization.CultureInfo.InvariantCulture);
        FieldError Error(string field, string what, double limit, double used, double asked) =>
            new($"quota.{field}", $"tenant '{tenant.Id}' may hold {N(limit)} {what}; it holds {N(used)} and this workload asks for {N(asked)} more");
        if (Over(q.Vcpu, after.Vcpu)) return Error("vcpu", "vCPU", q.Vcpu!.Value, before.Vcpu, after.Vcpu - before.Vcpu);
        if (Over(q.MemoryGiB, after.MemoryGiB)) return Error("memoryGiB", "GiB of memory", q.MemoryGiB!.Value, before.MemoryGiB, after.MemoryGiB - before.MemoryGiB);
        if (Over(q.Gpus, after.Gpus)) return Error("gpus", "GPUs", q.Gpus!.Value, before.Gpus, after.Gpus - before.Gpus);
        foreach (var (model, limit) in q.GpusByModel ?? new Dictionary<string, double>())
        {
            var now = after.GpusByModel.GetValueOrDefault(model);
            var was = before.GpusByModel.GetValueOrDefault(model);
            if (Over(limit, now)) return Error($"gpusByModel.{model}", $"{model} GPUs", limit, was, now - was);
        }
        return null;
    }

    public static IReadOnlyList<FieldError> Check(Tenant tenant)
    {
        var errors = new List<FieldError>();
        if (!LedgerNames.IsName(tenant.Id)) errors.Add(new("id", "lower-case letters, digits and inner hyphens, at most 63 characters"));
        if (tenant.Description is { } d && (d.Length > 200 || SafeText.Problem(d) is not null))
            errors.Add(new("description", SafeText.Problem(d) ?? "is longer than 200 characters"));
        if (tenant.Quota is { } q)
        {
            void NonNegative(string field, double? v)
            {
                if (v is { } x && !(x >= 0 && double.IsFinite(x))) errors.Add(new($"quota.{field}", "is a finite number, 0 or more"));
            }
            NonNegative("vcpu", q.Vcpu);
            NonNegative("memoryGiB", q.MemoryGiB);
            NonNegative("gpus", q.Gpus);
            foreach (var (model, limit) in q.GpusByModel ?? new Dictionary<string, double>())
            {
                if (string.IsNullOrWhiteSpace(model) || model.Length > 63 || SafeText.Problem(model) is not null) errors.Add(new("quota.gpusByModel", $"'{model}' is not a GPU model name"));
                NonNegative($"gpusByModel.{model}", limit);
            }
        }
        return errors;
    }
}
