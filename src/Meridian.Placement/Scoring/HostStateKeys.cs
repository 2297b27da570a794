namespace Meridian.Placement.Scoring;

/// <summary>Compact keys for what fragmentation measures memoise and group by: a set of GPU models, and a host's free
/// GPUs as a sorted multiset.</summary>
internal static class HostStateKeys
{
    /// <summary>A set of GPU models as one string, the same whatever their order ("" for any model).</summary>
    public static string Models(IReadOnlyList<string> models) => models.Count == 0 ? "" : string.Join('|', models.Order(StringComparer.Ordinal));

    public static IReadOnlyList<string> SplitModels(string key) => key.Length == 0 ? [] : key.Split('|');

    /// <summary>Up to 12 GPUs' free thousandths (0-1023 each, ten bits), sorted, and their count, in two longs. Callers
    /// with more GPUs do not memoise.</summary>
    public static (long Low, long High) GpuFree(ReadOnlySpan<int> sorted)
    {
        long low = 0, high = (long)sorted.Length << 60;
        for (var i = 0; i < sorted.Length; i++)
        {
            var v = (long)Math.Clamp(sorted[i], 0, 1023);
            if (i < 6) low |= v << (10 * i);
            else high |= v << (10 * (i - 6));
        }
        return (low, high);
    }
}
