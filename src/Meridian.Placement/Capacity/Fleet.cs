using Meridian.Core.Model;
using Meridian.Core.Lifecycle;
using Meridian.Core.Registry;
using Meridian.Placement.Model;

namespace Meridian.Placement.Capacity;

/// <summary>The hosts placement may use and what is allocated on them. Not thread-safe: one writer at a time
/// (the ledger serialises writes).</summary>
public sealed class Fleet
{
    private readonly Dictionary<string, int> _hostIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _zoneIndex = new(StringComparer.Ordinal);
    private readonly List<ZoneInfo> _zones = [];
    private readonly List<HostState> _hosts = [];

    public Fleet(IEnumerable<HostSpec> hosts, PlacementOptions? options = null, IReadOnlyDictionary<string, IReadOnlySet<string>>? boundaries = null)
    {
        Options = options ?? PlacementOptions.Default;
        Boundaries = boundaries ?? new Dictionary<string, IReadOnlySet<string>>();
        foreach (var spec in hosts)
        {
            if (!_zoneIndex.TryGetValue(spec.ZoneId, out var z))
            {
                z = _zones.Count;
                _zoneIndex[spec.ZoneId] = z;
                _zones.Add(new ZoneInfo(z, spec.ZoneId, spec.RegionId, spec.Country)
                {
                    // A fixed mix of seed and zone (HashCode would differ per process whatever the seed).
                    ScanStart = Options.ScanSeed == 0 ? 0 : (int)(((uint)Options.ScanSeed * 0x9E3779B9u ^ (uint)z * 0x85EBCA6Bu) & int.MaxValue),
                });
            }
            var h = _hosts.Count;
            if (!_hostIndex.TryAdd(spec.Id, h)) throw new ArgumentException($"duplicate host id '{spec.Id}'", nameof(hosts));
            _hosts.Add(new HostState(spec, _zones[z], Options));
            var zone = _zones[z];
            zone.Hosts.Add(h);
            if (spec.Gpus > 0)
            {
                zone.GpuHosts.Add(h);
                var model = spec.GpuModel ?? "";
                if (!zone.GpuHostsByModel.TryGetValue(model, out var list)) zone.GpuHostsByModel[model] = list = [];
                list.Add(h);
            }
        }
        HostArray = [.. _hosts];
        foreach (var zone in _zones)
        {
            zone.Freeze();
            zone.GpuHostStates = [.. zone.GpuHostArray.Select(i => HostArray[i])];
        }
    }

    internal HostState[] HostArray { get; }

    private readonly Dictionary<string, ZoneInfo[]> _zonesByBoundary = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The zones in a data boundary (all zones for null), computed once per boundary.</summary>
    internal ZoneInfo[] ZonesIn(string? boundary)
    {
        var key = boundary ?? "";
        if (_zonesByBoundary.TryGetValue(key, out var zones)) return zones;
        var countries = boundary is null ? null : Boundaries[boundary];
        zones = _zones.Where(z => countries is null || countries.Contains(z.Country)).ToArray();
        _zonesByBoundary[key] = zones;
        return zones;
    }

    /// <summary>The hosts of a world in service on <paramref name="date"/>: those in a Live facility of a Live zone and
    /// region take new work; those where anything is Draining keep what they hold but take nothing new.</summary>
    public static Fleet FromWorld(World world, DateOnly date, PlacementOptions? options = null)
    {
        var specs = new List<HostSpec>();
        foreach (var host in world.Hosts.Values)
        {
            var facility = world.Facilities.Find(host.FacilityId);
            var zone = world.Zones.Find(host.ZoneId);
            var region = zone is null ? null : world.Regions.Find(zone.RegionId);
            if (facility is null || zone is null || region is null) continue;
            var statuses = new[] { facility.History, zone.History, region.History }.Select(h => LifecycleRules.StatusOn(h, date)).ToArray();
            if (!statuses.All(s => s is { } v && LifecycleRules.InService.Contains(v))) continue;
            specs.Add(HostSpec.Of(host, region, facility, schedulable: statuses.All(s => s == LifecycleStatus.Live)));
        }
        var boundaries = world.Boundaries.Values.ToDictionary(b => b.Id, b => (IReadOnlySet<string>)b.Countries.ToHashSet(), StringComparer.OrdinalIgnoreCase);
        return new Fleet(specs, options, boundaries);
    }

    public PlacementOptions Options { get; }
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Boundaries { get; }
    public IReadOnlyList<HostState> Hosts => _hosts;
    public IReadOnlyList<ZoneInfo> Zones => _zones;

    public HostState? Host(string id) => _hostIndex.TryGetValue(id, out var i) ? _hosts[i] : null;

    internal int HostIndex(string id) => _hostIndex[id];

    public ZoneInfo? Zone(string id) => _zoneIndex.TryGetValue(id, out var i) ? _zones[i] : null;

    /// <summary>Re-applies an allocation from the ledger; false when the host is gone or it no longer fits.</summary>
    public bool Restore(Allocation a) => Host(a.HostId)?.TryRestore(a.VcpuMilli, a.MemoryMiB, a.Gpus) ?? false;

    public void Release(Allocation a) => Host(a.HostId)?.Give(a.VcpuMilli, a.MemoryMiB, a.Gpus);

    /// <summary>The hosts of a zone that a request could use at all (GPU model and ownership), without looking at what is free.</summary>
    internal int[] Candidates(ZoneInfo zone, in Resources r, IReadOnlyList<string> gpuModels)
    {
        if (r.Gpus == 0) return zone.HostArray;
        if (gpuModels.Count == 0) return zone.GpuHostArray;
        if (gpuModels.Count == 1) return zone.GpuHostArrayByModel.GetValueOrDefault(gpuModels[0]) ?? [];
        return gpuModels.SelectMany(m => zone.GpuHostArrayByModel.GetValueOrDefault(m) ?? []).ToArray();
    }

    private IReadOnlyDictionary<string, double>? _gpusByModel;

    /// <summary>GPUs of each model on the hosts that take new work (hosts and their schedulability are fixed for a
    /// fleet's life, so it is counted once).</summary>
    public IReadOnlyDictionary<string, double> GpusByModel() => _gpusByModel ??= GpusByModel(Hosts.Select(h => h.Spec));

    /// <summary>GPUs of each model among these hosts, those that take new work.</summary>
    public static IReadOnlyDictionary<string, double> GpusByModel(IEnumerable<HostSpec> hosts) =>
        hosts.Where(h => h.Schedulable && h.GpuModel is not null && h.Gpus > 0).GroupBy(h => h.GpuModel!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(h => (double)h.Gpus), StringComparer.Ordinal);
}
