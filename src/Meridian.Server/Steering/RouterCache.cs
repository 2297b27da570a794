using Meridian.Core.Latency;
using Meridian.Steering.Routing;
using Meridian.Storage;

namespace Meridian.Server.Steering;

/// <summary>The region router for the current world snapshot and day, rebuilt only when either changes.</summary>
public sealed class RouterCache(IWorldStore store, LatencyModel latency, TimeProvider time)
{
    private (long Generation, DateOnly Day, RegionRouter Router)? _cached;

    public LatencyModel Latency => latency;

    public RegionRouter Current
    {
        get
        {
            var snapshot = store.Current;
            var day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var cached = _cached;
            if (cached is { } c && c.Generation == snapshot.Generation && c.Day == day) return c.Router;
            var router = new RegionRouter(snapshot.World, latency, day);
            _cached = (snapshot.Generation, day, router);
            return router;
        }
    }
}
