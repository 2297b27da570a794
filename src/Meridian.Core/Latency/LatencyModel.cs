using Meridian.Core.Geo;
using Meridian.Core.Model;

namespace Meridian.Core.Latency;

/// <summary>Estimated round-trip time between points from great-circle distance, and measured RTTs between regions where
/// they are known, which win over the estimate.</summary>
public sealed class LatencyModel
{
    private readonly Dictionary<(string, string), double> _measured = new();

    public LatencyModel(LatencyModelOptions? options = null, IEnumerable<(string From, string To, double RttMs)>? measured = null)
    {
        Options = options ?? new LatencyModelOptions();
        foreach (var (from, to, rtt) in measured ?? [])
        {
            _measured[(from, to)] = rtt;
            _measured.TryAdd((to, from), rtt);
        }
    }

    public LatencyModelOptions Options { get; }

    public double EstimateMs(GeoPoint a, GeoPoint b) => EstimateMs(GeoMath.DistanceKm(a, b));

    public double EstimateMs(double distanceKm)
    {
        var o = Options;
        if (distanceKm >= o.KneeKm || o.KneeKm <= 0) return Math.Max(o.FloorMs, o.FixedMs + o.MsPerKm * distanceKm);
        var atKnee = o.FixedMs + o.MsPerKm * o.KneeKm;
        return o.FloorMs + (atKnee - o.FloorMs) * Math.Max(0, distanceKm) / o.KneeKm;
    }

    /// <summary>A measured RTT between two regions, if one is known.</summary>
    public double? MeasuredMs(string fromRegion, string toRegion) =>
        _measured.TryGetValue((fromRegion, toRegion), out var v) ? v : null;

    public bool HasMeasurements => _measured.Count > 0;
}
