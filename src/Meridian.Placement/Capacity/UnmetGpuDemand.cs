namespace Meridian.Placement.Capacity;

/// <summary>GPU demand that found no room lately: GPU milli of refused placements, one entry per workload (a client
/// that retries is counted once), gone when the workload is placed or after <see cref="Window"/>. The whole-GPU reserve
/// reads it as demand that will take free capacity before new work does. Bounded: at most <see cref="MaxEntries"/>,
/// the oldest dropped first. Not thread-safe; the ledger uses it under its gate.</summary>
public sealed class UnmetGpuDemand(TimeSpan window)
{
    public const int MaxEntries = 10_000;

    private readonly Dictionary<string, (long Milli, DateTimeOffset At)> _entries = new(StringComparer.Ordinal);
    private long _total;

    public TimeSpan Window { get; } = window;

    public int Count => _entries.Count;

    /// <summary>A workload (by key, such as tenant and name) asked for <paramref name="gpuMilli"/> and was refused.</summary>
    public void Refused(string key, long gpuMilli, DateTimeOffset now)
    {
        if (gpuMilli <= 0) return;
        Placed(key);
        if (_entries.Count >= MaxEntries) Expire(now);
        if (_entries.Count >= MaxEntries) Placed(_entries.MinBy(e => e.Value.At).Key);
        _entries[key] = (gpuMilli, now);
        _total += gpuMilli;
    }

    /// <summary>The workload found room (or was withdrawn): its demand is met.</summary>
    public void Placed(string key)
    {
        if (_entries.Remove(key, out var e)) _total -= e.Milli;
    }

    /// <summary>GPU milli refused within the window before <paramref name="now"/>, but for the workload
    /// <paramref name="except"/> (a request retried is not demand waiting beside itself).</summary>
    public long Total(DateTimeOffset now, string? except = null)
    {
        Expire(now);
        return except is not null && _entries.TryGetValue(except, out var e) ? _total - e.Milli : _total;
    }

    private void Expire(DateTimeOffset now)
    {
        if (_entries.Count == 0) return;
        List<string>? old = null;
        foreach (var (key, e) in _entries)
        {
            if (now - e.At > Window) (old ??= []).Add(key);
        }
        if (old is null) return;
        foreach (var key in old) Placed(key);
    }
}
