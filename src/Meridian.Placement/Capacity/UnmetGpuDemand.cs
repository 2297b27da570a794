namespace Meridian.Placement.Capacity;

/// <summary>GPU demand that found no room lately: GPU milli of refused placements, one entry per workload (a client
/// that retries is counted once), gone when the workload is placed or after <see cref="Window"/>. The whole-GPU reserve
/// reads it as demand that will take free capacity before new work does. Bounded: at most <see cref="MaxEntries"/>,
/// the oldest dropped first. Read on every fragmentation-aware decision, so reading costs only what has expired. Not
/// thread-safe; the ledger uses it under its gate.</summary>
public sealed class UnmetGpuDemand(TimeSpan window)
{
    public const int MaxEntries = 10_000;

    private readonly Dictionary<string, (long Milli, DateTimeOffset At)> _entries = new(StringComparer.Ordinal);
    // Keys in the order they were refused; a key placed or refused again since is skipped when it reaches the front.
    private readonly Queue<(string Key, DateTimeOffset At)> _order = new();
    private long _total;

    public TimeSpan Window { get; } = window;

    public int Count => _entries.Count;

    /// <summary>A placement was refused: counted when it was for want of room (resources, or the reserve keeping what
    /// would fit) and asked for GPUs; other refusals (residency, spread, ...) are not demand the free GPUs can meet.</summary>
    public void Refused(string key, Model.PlacementRequest request, Model.Infeasibility problem, DateTimeOffset now)
    {
        if (problem.Constraint is "resources" or "reserve") Refused(key, request.PerReplica.TotalGpuMilli * (long)request.Replicas, now);
    }

    /// <summary>A workload (by key, such as tenant and name) asked for <paramref name="gpuMilli"/> and was refused.</summary>
    public void Refused(string key, long gpuMilli, DateTimeOffset now)
    {
        if (gpuMilli <= 0) return;
        Placed(key);
        Expire(now);
        while (_entries.Count >= MaxEntries) DropOldest();
        _entries[key] = (gpuMilli, now);
        _order.Enqueue((key, now));
        _total += gpuMilli;
        // Stale queue items (keys placed or refused again) are at most as many as the live ones before a rebuild.
        if (_order.Count > 2 * MaxEntries) Compact();
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
        while (_order.TryPeek(out var front) && (!IsLive(front) || now - front.At > Window)) DropOldest();
    }

    private void DropOldest()
    {
        var (key, at) = _order.Dequeue();
        if (_entries.TryGetValue(key, out var e) && e.At == at) Placed(key);
    }

    private bool IsLive((string Key, DateTimeOffset At) item) => _entries.TryGetValue(item.Key, out var e) && e.At == item.At;

    private void Compact()
    {
        var live = _order.Where(IsLive).ToArray();
        _order.Clear();
        foreach (var item in live) _order.Enqueue(item);
    }
}
