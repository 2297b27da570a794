using Meridian.Storage.Changes;
using Meridian.Storage.Data;

namespace Meridian.Storage.Tests.Changes;

/// <summary>On PostgreSQL a change-log number is taken before its write commits, so numbers become visible out of order.
/// The feed's stable position (what a watch may send) stays below a number still held, and a gap is settled once its
/// writer is gone: by the entry, or by a filler when the write was rolled back.</summary>
public sealed class ChangeFeedGapTests : IDisposable
{
    private readonly TempDatabase _db = new(StoreKind.Postgres);

    public void Dispose() => _db.Dispose();

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static ChangeRecord Entry(string id) =>
        new(0, DateTimeOffset.UnixEpoch, "test", "create", "tenants", id, 0, null, new System.Text.Json.Nodes.JsonObject { ["id"] = id });

    [Fact]
    public async Task The_stable_position_waits_for_a_held_number_and_a_rolled_back_one_is_filled()
    {
        var clock = new Clock();
        using var store = await WorldStore.OpenAsync(_db.Path, time: clock);
        using var other = Database.Open(_db.Path);
        var seen = new List<ChangeRecord>();
        store.Feed.Subscribe(new Recorder(seen));
        await store.Feed.CatchUpAsync();
        var start = store.Feed.StablePosition;

        // Two writers take numbers and hold them; a third commits a later number.
        using var rolledBack = other.Open();
        using var rollbackTx = other.BeginWrite(rolledBack);
        var lost = ChangeLog.Insert(rolledBack, rollbackTx, Entry("lost"));
        using var late = other.Open();
        using var lateTx = other.BeginWrite(late);
        var slow = ChangeLog.Insert(late, lateTx, Entry("slow"));
        using (var quick = other.Open())
        using (var quickTx = other.BeginWrite(quick))
        {
            ChangeLog.Insert(quick, quickTx, Entry("quick"));
            quickTx.Commit();
        }

        await store.Feed.CatchUpAsync();
        Assert.Equal(lost - 1, store.Feed.StablePosition);
        Assert.Equal(["quick"], seen.Select(e => e.Id));

        // Long after: settling waits on a writer still running, so the gaps stay open.
        clock.Now += TimeSpan.FromSeconds(5);
        await store.Feed.CatchUpAsync();
        Assert.Equal(lost - 1, store.Feed.StablePosition);

        rollbackTx.Rollback();
        lateTx.Commit();
        await store.Feed.CatchUpAsync();
        await store.Feed.CatchUpAsync();
        Assert.True(store.Feed.StablePosition >= slow + 1, $"stable {store.Feed.StablePosition}, numbers {lost}, {slow}");
        Assert.Equal(["quick", "slow"], seen.Select(e => e.Id)); // the filler is nobody's change
        Assert.Equal(0, store.Feed.PendingGaps);
        Assert.Equal(0, store.Feed.DroppedGaps);
        Assert.True(start < lost);
    }

    private sealed class Recorder(List<ChangeRecord> seen) : IChangeConsumer
    {
        public void Apply(IReadOnlyList<ChangeRecord> entries) => seen.AddRange(entries.Where(e => e.Kind == "tenants"));

        public void Reload() { }
    }
}
