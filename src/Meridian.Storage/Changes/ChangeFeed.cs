using System.Data.Common;
using System.Text.Json.Nodes;
using Meridian.Storage.Data;

namespace Meridian.Storage.Changes;

/// <summary>Something kept in memory that follows the change log: the world, the ledger, health overrides.
/// Applying an entry twice, or one already reflected in what was loaded, must change nothing.</summary>
public interface IChangeConsumer
{
    void Apply(IReadOnlyList<ChangeRecord> entries);

    /// <summary>The feed fell too far behind to apply entries one by one: load everything again.</summary>
    void Reload();
}

/// <summary>Brings this process's memory up to date with what other processes wrote, by reading the change log from
/// where it last stopped: O(new entries) per catch-up, never a reload of the world. On PostgreSQL, entries can commit out
/// of sequence order (a sequence number is taken before commit), so numbers skipped by a read are remembered as gaps and
/// asked for again until they arrive or <see cref="GapTimeout"/> passes (a rolled-back write leaves one for ever).</summary>
public sealed class ChangeFeed(Database database, TimeProvider? time = null)
{
    /// <summary>More new entries than this at once and the consumers reload instead.</summary>
    public const int MaxBatch = 10_000;
    private const int MaxGaps = 10_000;
    private const int GapsPerRead = 200;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sync = new();
    private readonly List<IChangeConsumer> _consumers = [];
    private readonly SortedDictionary<long, DateTimeOffset> _gaps = [];
    private long _position = -1;
    private long _droppedGaps;

    public TimeSpan GapTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a gap may stay open before the feed settles it (<see cref="Database.FillGap"/>): a filler takes
    /// the number of a write that was rolled back, and a write still running is waited for.</summary>
    public TimeSpan GapFillAfter { get; init; } = TimeSpan.FromSeconds(2);

    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The highest sequence number up to which every entry is known here, with no gap below it: what a
    /// watcher may be given in order without missing one that commits later.</summary>
    public long StablePosition
    {
        get
        {
            lock (_sync) return _gaps.Count == 0 ? _position : Math.Min(_position, _gaps.Keys.First() - 1);
        }
    }

    /// <summary>Completes when <see cref="StablePosition"/> moves past <paramref name="position"/>, or after
    /// <paramref name="timeout"/>; true when it moved.</summary>
    public async Task<bool> WaitPastAsync(long position, TimeSpan timeout, CancellationToken ct)
    {
        Task advanced;
        lock (_sync) advanced = _advanced.Task;
        if (StablePosition > position) return true;
        // The timer is cancelled when the position moves first, so waiting watchers do not leave timers behind.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(timeout, _time, wait.Token);
        await Task.WhenAny(advanced, delay).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return StablePosition > position;
    }

    private long _signalled = -1;

    /// <summary>Wakes the watchers when the stable position has moved (called outside <see cref="_sync"/>).</summary>
    private void Advance()
    {
        var stable = StablePosition;
        TaskCompletionSource done;
        lock (_sync)
        {
            if (stable == _signalled) return;
            _signalled = stable;
            (done, _advanced) = (_advanced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        done.TrySetResult();
    }

    /// <summary>The highest sequence number read or written here.</summary>
    public long Position { get { lock (_sync) return _position; } }

    /// <summary>Sequence numbers below <see cref="Position"/> still awaited.</summary>
    public int PendingGaps { get { lock (_sync) return _gaps.Count; } }

    /// <summary>Gaps given up (timed out, or more than the feed keeps): an entry may have been missed.</summary>
    public long DroppedGaps => Interlocked.Read(ref _droppedGaps);

    /// <summary>When the last catch-up finished without error.</summary>
    public DateTimeOffset? CaughtUpAt { get; private set; }

    public void Subscribe(IChangeConsumer consumer)
    {
        lock (_sync) _consumers.Add(consumer);
    }

    /// <summary>Starts following from the end of the log as it is now; what is loaded afterwards reflects at least that.
    /// Entries up to <paramref name="margin"/> back are read again (and change nothing when already reflected), so a
    /// write that took its number earlier but committed later is not missed.</summary>
    public void Start(DbConnection connection, long margin)
    {
        var (oldest, end) = ChangeLog.Range(connection);
        lock (_sync)
        {
            // Not below what compaction kept: numbers before the oldest entry are not gaps.
            _position = Math.Max(Math.Max(0, oldest - 1), end - margin);
            _gaps.Clear();
        }
        Advance();
    }

    /// <summary>Entries this process wrote and has applied already.</summary>
    public void Own(IReadOnlyCollection<long> seqs)
    {
        if (seqs.Count == 0) return;
        lock (_sync)
        {
            if (_position < 0) return;
            var mine = seqs.ToHashSet();
            var top = mine.Max();
            for (var s = _position + 1; s < top; s++)
            {
                if (!mine.Contains(s)) AddGap(s);
            }
            foreach (var s in mine) _gaps.Remove(s);
            _position = Math.Max(_position, top);
        }
        Advance();
    }

    /// <summary>Reads and applies what was written since the last call; returns how many entries were new.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            long from;
            long[] gaps;
            IChangeConsumer[] consumers;
            lock (_sync)
            {
                if (_position < 0) return 0;
                from = _position;
                var expired = _time.GetUtcNow() - GapTimeout;
                foreach (var old in _gaps.Where(g => g.Value < expired).Select(g => g.Key).ToArray())
                {
                    _gaps.Remove(old);
                    Interlocked.Increment(ref _droppedGaps);
                }
                gaps = _gaps.Keys.Take(GapsPerRead).ToArray();
                consumers = [.. _consumers];
            }
            SettleOldGaps(gaps);
            List<ChangeRecord> rows;
            await using (var connection = await database.OpenAsync(ct))
            {
                using var cmd = connection.CreateCommand();
                var where = gaps.Length == 0 ? "seq > @from" : $"seq > @from OR seq IN ({Sql.InList(cmd, "g", gaps.Cast<object>().ToArray())})";
                cmd.CommandText = $"SELECT {ChangeRows.Columns} FROM changes WHERE {where} ORDER BY seq LIMIT @limit";
                Sql.Add(cmd, "@from", from);
                Sql.Add(cmd, "@limit", MaxBatch + 1);
                rows = ChangeRows.Read(cmd);
            }
            if (rows.Count > MaxBatch)
            {
                await using (var connection = await database.OpenAsync(ct)) Start(connection, 0);
                foreach (var c in consumers) c.Reload();
                CaughtUpAt = _time.GetUtcNow();
                return rows.Count;
            }
            lock (_sync)
            {
                var top = rows.Count == 0 ? from : Math.Max(from, rows[^1].Seq);
                var seen = rows.Select(r => r.Seq).ToHashSet();
                foreach (var s in seen) _gaps.Remove(s);
                for (var s = from + 1; s <= top; s++)
                {
                    if (!seen.Contains(s) && s > _position) AddGap(s);
                }
                _position = Math.Max(_position, top);
            }
            var entries = rows.Where(r => r.Kind != ChangeLog.GapKind).ToList();
            if (entries.Count > 0)
            {
                foreach (var c in consumers) c.Apply(entries);
            }
            Advance();
            CaughtUpAt = _time.GetUtcNow();
            return rows.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gaps open longer than <see cref="GapFillAfter"/> are settled, so the read that follows finds the entry
    /// or a filler in their place; a writer still running keeps its gap open.</summary>
    private void SettleOldGaps(long[] gaps)
    {
        if (gaps.Length == 0) return;
        var now = _time.GetUtcNow();
        long[] old;
        lock (_sync) old = gaps.Where(g => _gaps.TryGetValue(g, out var since) && now - since >= GapFillAfter).ToArray();
        foreach (var seq in old)
        {
            if (!database.FillGap(seq, now)) break; // a writer holding an older number likely holds the newer ones too
        }
    }

    private void AddGap(long seq)
    {
        if (_gaps.Count >= MaxGaps && _gaps.Remove(_gaps.Keys.First())) Interlocked.Increment(ref _droppedGaps);
        _gaps.TryAdd(seq, _time.GetUtcNow());
    }
}

/// <summary>Reading change-log rows.</summary>
internal static class ChangeRows
{
    public const string Columns = "seq, at, actor, action, kind, resource_id, generation, before, after, claims";

    public static List<ChangeRecord> Read(DbCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<ChangeRecord>();
        while (r.Read())
        {
            list.Add(new ChangeRecord(
                Sql.Int64(r, 0), Sql.Time(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), Sql.Int64(r, 6),
                r.IsDBNull(7) ? null : JsonNode.Parse(r.GetString(7)),
                r.IsDBNull(8) ? null : JsonNode.Parse(r.GetString(8)))
            { Claims = r.IsDBNull(9) ? null : r.GetString(9) });
        }
        return list;
    }
}
