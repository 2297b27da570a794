using Meridian.Core.Latency;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Steering.Routing;
using Meridian.Storage;

namespace Meridian.Server.Steering;

/// <summary>The region router for the current world snapshot and day, rebuilt only when either changes.</summary>
public sealed class RouterCache(IWorldStore store, LatencyModel latency, TimeProvider time)
{
    // One reference, replaced whole, so a reader never sees one snapshot's generation with another's router.
    private sealed record Entry(long Generation, DateOnly Day, RegionRouter Router, World World);

    private Entry? _cached;

    public LatencyModel Latency => latency;

    public RegionRouter Current => Snapshot().Router;

    /// <summary>The router with the world it was built from (the gateway takes services' endpoints from the same one).</summary>
    public (RegionRouter Router, World World) Snapshot()
    {
        var snapshot = store.Current;
        var day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var cached = _cached;
        if (cached is not null && cached.Generation == snapshot.Generation && cached.Day == day) return (cached.Router, cached.World);
        var router = new RegionRouter(snapshot.World, latency, day);
        _cached = new Entry(snapshot.Generation, day, router, snapshot.World);
        return (router, snapshot.World);
    }
}
