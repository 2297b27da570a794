using BenchmarkDotNet.Attributes;
using Meridian.Core.Geo;
using Meridian.Core.Latency;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Steering.Routing;
using Meridian.Storage.Worlds;

namespace Meridian.Benchmarks;

/// <summary>One route decision on the demo world: Meridian's router (per-snapshot precomputation) against a naive one
/// that works from the world on every request, as a first implementation would.</summary>
[MemoryDiagnoser]
public class RouteBenchmarks
{
    private static readonly DateOnly Today = new(2026, 11, 22);
    private World _world = null!;
    private RegionRouter _router = null!;
    private LatencyModel _latency = null!;
    private readonly ClientLocation _paris = new(new GeoPoint(48.8566, 2.3522), "FR");

    [GlobalSetup]
    public void Setup()
    {
        _world = DemoWorld.Load();
        _latency = new LatencyModel();
        _router = new RegionRouter(_world, _latency, Today);
    }

    [Benchmark(Description = "Meridian: qwen3-max, Paris, strict")]
    public RouteDecision QwenStrict() => _router.Route("qwen3-max", _paris, Residency.Strict);

    [Benchmark(Description = "Meridian: compute, Paris, global (all regions ranked)")]
    public RouteDecision ComputeGlobal() => _router.Route("compute", _paris, Residency.Global);

    [Benchmark(Baseline = true, Description = "naive: qwen3-max, Paris, strict, from the world each time")]
    public string? NaiveQwenStrict()
    {
        var boundary = _world.Boundaries.Values.Where(b => b.Contains(_paris.Country)).SelectMany(b => b.Countries).Append(_paris.Country).ToHashSet();
        return _world.Regions.Values
            .Where(r => r.Services.Contains("qwen3-max") && LifecycleRules.StatusOn(r.History, Today) == LifecycleStatus.Live && boundary.Contains(r.Country))
            .OrderBy(r => _latency.EstimateMs(GeoMath.DistanceKm(_paris.Point, r.Location)))
            .Select(r => r.Id)
            .FirstOrDefault();
    }
}
