using Meridian.Placement.Model;
using Meridian.Placement.Scoring;

namespace Meridian.Storage.Ledger;

/// <summary>The ledger's workloads by id and by tenant, so a placement checks its name and its tenant's usage without
/// walking every workload.</summary>
internal sealed class WorkloadIndex
{
    private readonly Dictionary<string, Workload> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Workload>> _byTenant = new(StringComparer.Ordinal);

    public WorkloadIndex(IEnumerable<Workload>? workloads = null)
    {
        foreach (var w in workloads ?? []) Set(w);
    }

    public IEnumerable<Workload> Values => _byId.Values;

    /// <summary>The replicas placed now, by class: what the fragmentation-aware policy expects more of.</summary>
    public WorkloadMix Mix { get; } = new();

    public bool TryGetValue(string id, out Workload workload) => _byId.TryGetValue(id, out workload!);

    public Workload? GetValueOrDefault(string id) => _byId.GetValueOrDefault(id);

    public bool ContainsKey(string id) => _byId.ContainsKey(id);

    public Workload this[string id] => _byId[id];

    public bool HasName(string tenant, string name) => _byTenant.TryGetValue(tenant, out var names) && names.ContainsKey(name);

    public IEnumerable<Workload> OfTenant(string tenant) => _byTenant.TryGetValue(tenant, out var names) ? names.Values : [];

    /// <summary>Adds a workload or replaces it (a drain moves its replicas; tenant and name stay).</summary>
    public void Set(Workload w)
    {
        if (_byId.TryGetValue(w.Id, out var old)) Count(old, -1);
        Count(w, +1);
        _byId[w.Id] = w;
        (_byTenant.TryGetValue(w.Spec.Tenant, out var names) ? names : _byTenant[w.Spec.Tenant] = new(StringComparer.Ordinal))[w.Spec.Name] = w;
    }

    public void Remove(string id)
    {
        if (!_byId.Remove(id, out var w)) return;
        Count(w, -1);
        var names = _byTenant[w.Spec.Tenant];
        names.Remove(w.Spec.Name);
        if (names.Count == 0) _byTenant.Remove(w.Spec.Tenant);
    }

    private void Count(Workload w, int sign)
    {
        var r = w.Spec.Resources.ToResources();
        var models = w.Spec.Constraints?.GpuModels ?? [];
        if (sign > 0) Mix.Add(r, models, w.Allocations.Count);
        else Mix.Remove(r, models, w.Allocations.Count);
    }
}
