using BenchmarkDotNet.Attributes;
using Meridian.Core.Geo;
using Meridian.Core.Latency;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Steering.Health;
using Meridian.Steering.Routing;
using Meridian.Storage.Worlds;

namespace Meridian.Benchmarks;

/// <summary>One route decision on the demo world: the gateway's lookup in routes precomputed per change, Meridian's
/// router (per-snapshot precomputation, what /api/v1/route runs), and a naive router that works from the world on every
/// request, as a first implementation would.</summary>
[MemoryDiagnoser]
public class RouteBenchmarks
{
    private static readonly DateOnly Today = new(2026, 11, 22);
    private World _world = null!;
    private RegionRouter _router = null!;
    private Meridian.Server.Gateway.GatewayRoutes _gateway = null!;
    private readonly Meridian.Server.Security.ClientPoint _parisPoint = new("FR", 48.8566, 2.3522);
    private const string Path = "/qwen3-max/v1/chat/completions";
    private LatencyModel _latency = null!;
    private readonly ClientLocation _paris = new(new GeoPoint(48.8566, 2.3522), "FR");

    [GlobalSetup]
    public void Setup()
    {
        _world = DemoWorld.Load();
        _latency = new LatencyModel();
        _router = new RegionRouter(_world, _latency, Today);
        _gateway = new Meridian.Server.Gateway.GatewayRoutes(_router, AlwaysHealthy.Instance, _world, 0, DateTimeOffset.MaxValue);
        GatewayQwenStrict();
        GatewayComputeGlobal();
    }

    [Benchmark(Description = "gateway lookup: qwen3-max, Paris, strict (precomputed per change)")]
    public string GatewayQwenStrict()
    {
        _gateway.TryGet(Path.AsSpan(1, 9), out var table);
        return table.Targets(_parisPoint, Residency.Strict)[0].Region;
    }

    [Benchmark(Description = "gateway lookup: compute, Paris, global (precomputed per change)")]
    public string GatewayComputeGlobal()
    {
        _gateway.TryGet("compute".AsSpan(), out var table);
        return table.Targets(_parisPoint, Residency.Global)[0].Region;
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
