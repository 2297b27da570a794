using BenchmarkDotNet.Attributes;
using Meridian.Placement.Scoring;

namespace Meridian.Benchmarks;

/// <summary>Planning the share patterns of a mix (<see cref="SharePatterns.Plan"/>), which the fragmentation-aware scorer
/// does when it is built: on the openb default list's shares, on a mix of many sizes that is still planned, and on one
/// with too many candidate patterns to plan (found out and given up).</summary>
[MemoryDiagnoser]
public class SharePatternsBenchmarks
{
    // The openb default list's GPU shares: milli of one GPU and how many tasks ask for it (Alibaba's cluster-trace-gpu-v2023).
    private static readonly Dictionary<int, double> Openb = new()
    {
        [810] = 1078, [470] = 750, [320] = 328, [650] = 253, [230] = 140, [460] = 128, [590] = 75, [160] = 74, [550] = 72, [220] = 62,
        [370] = 47, [110] = 24, [480] = 19, [50] = 7, [330] = 7, [350] = 6, [270] = 4, [440] = 2, [140] = 1, [290] = 1,
    };

    private static readonly Dictionary<int, double> Sizes26 = Enumerable.Range(1, 26).ToDictionary(i => i * 37, _ => 100.0);
    private static readonly Dictionary<int, double> Sizes99 = Enumerable.Range(1, 99).ToDictionary(i => i * 10, _ => 100.0);

    [Benchmark(Baseline = true, Description = "plan: openb default shares (20 sizes)")]
    public SharePatterns? OpenbDefault() => SharePatterns.Plan(Openb);

    [Benchmark(Description = "plan: 26 sizes of 100 tasks, 37-milli steps")]
    public SharePatterns? TwentySixSizes() => SharePatterns.Plan(Sizes26);

    [Benchmark(Description = "plan: 99 sizes (over 5,000 patterns: not planned)")]
    public SharePatterns? NinetyNineSizes() => SharePatterns.Plan(Sizes99);
}
