namespace Meridian.Placement.Capacity;

/// <summary>A zone and the hosts in it (indices into the fleet), grouped by GPU model so a GPU request only
/// looks at hosts that can serve it.</summary>
public sealed class ZoneInfo
{
    internal ZoneInfo(int index, string id, string regionId, string country) => (Index, Id, RegionId, Country) = (index, id, regionId, country);

    public int Index { get; }
    public string Id { get; }
    public string RegionId { get; }
    public string Country { get; }

    internal List<int> Hosts { get; } = [];

    // Arrays of the lists above, made once the fleet is built: the hot loops index arrays, not interfaces.
    internal int[] HostArray { get; private set; } = [];
    internal int[] GpuHostArray { get; private set; } = [];
    internal Dictionary<string, int[]> GpuHostArrayByModel { get; private set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The zone's GPU hosts themselves, for the whole-GPU reserve's counts over the zone.</summary>
    internal HostState[] GpuHostStates { get; set; } = [];

    internal void Freeze()
    {
        HostArray = [.. Hosts];
        GpuHostArray = [.. GpuHosts];
        GpuHostArrayByModel = GpuHostsByModel.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Free capacity summed over the zone's schedulable hosts: a zone whose sum cannot hold one replica
    /// is skipped without looking at its hosts.</summary>
    internal long FreeVcpu { get; set; }
    internal long FreeMemory { get; set; }
    internal long FreeGpuMilli { get; set; }

    /// <summary>Where the next bounded host scan in this zone starts.</summary>
    internal int ScanStart { get; set; }
    internal Dictionary<string, List<int>> GpuHostsByModel { get; } = new(StringComparer.OrdinalIgnoreCase);
    internal List<int> GpuHosts { get; } = [];
}
