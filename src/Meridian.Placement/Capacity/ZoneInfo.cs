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
    internal Dictionary<string, List<int>> GpuHostsByModel { get; } = new(StringComparer.OrdinalIgnoreCase);
    internal List<int> GpuHosts { get; } = [];
}
