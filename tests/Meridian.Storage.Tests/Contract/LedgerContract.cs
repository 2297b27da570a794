using Meridian.Placement.Model;
using Meridian.Storage.Ledger;
using Meridian.Storage.Worlds;

namespace Meridian.Storage.Tests.Contract;

/// <summary>The ledger's contract, run against both databases.</summary>
public abstract class LedgerContract(StoreKind kind) : IDisposable
{
    protected readonly TempDatabase _db = new(kind);

    public void Dispose() => _db.Dispose();

    private static WorkloadSpec Spec(string name, int replicas = 2, int gpus = 2) =>
        new("acme", name, replicas, new ResourceSpec(4, 16, gpus), new ConstraintSpec(Regions: ["eu-west-1"]));

    [Fact]
    public async Task Placements_SurviveAReopen()
    {
        string id;
        using (var store = await WorldStore.OpenAsync(_db.Path, () => DemoWorld.Load()))
        using (var ledger = new AllocationLedger(store))
        {
            await ledger.CreateTenantAsync(new Tenant("acme"), "test");
            id = (await ledger.PlaceAsync(Spec("a"), "test")).Id;
        }
        using (var store = await WorldStore.OpenAsync(_db.Path, () => DemoWorld.Load()))
        using (var ledger = new AllocationLedger(store))
        {
            var w = await ledger.GetAsync(id);
            Assert.Equal(2, w!.Allocations.Count);
            var capacity = await ledger.CapacityAsync(h => h.Spec.RegionId == "eu-west-1", withHosts: false);
            Assert.Equal(4, capacity.All.Used.Gpus);
        }
    }

    [Fact]
    public async Task TwoProcessesSharingADatabase_NeverOverCommit()
    {
        using var storeA = await WorldStore.OpenAsync(_db.Path, () => DemoWorld.Load());
        using var storeB = await WorldStore.OpenAsync(_db.Path, () => DemoWorld.Load());
        using var a = new AllocationLedger(storeA);
        using var b = new AllocationLedger(storeB);
        await a.CreateTenantAsync(new Tenant("acme"), "test");
        var placed = 0;
        var refused = 0;
        var attempts = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            try
            {
                await (i % 2 == 0 ? a : b).PlaceAsync(Spec($"w{i}"), "test");
                Interlocked.Increment(ref placed);
            }
            catch (PlacementRefusedException)
            {
                Interlocked.Increment(ref refused);
            }
        }));
        await Task.WhenAll(attempts);
        Assert.True(placed > 0 && refused > 0, $"placed {placed}, refused {refused}");

        // A fresh view from the database: every host within its capacity, and the count matches.
        using var storeC = await WorldStore.OpenAsync(_db.Path);
        using var c = new AllocationLedger(storeC);
        var report = await c.CapacityAsync(h => h.Spec.RegionId == "eu-west-1", withHosts: true);
        Assert.All(report.Hosts, h => Assert.True(h.Used.Gpus <= h.Total.Gpus && h.Used.Vcpu <= h.Total.Vcpu && h.Used.MemoryGiB <= h.Total.MemoryGiB));
        Assert.Equal(placed * 4, report.All.Used.Gpus);
        Assert.Equal(placed, (await c.ListAsync()).Count);

        // Each process, once caught up, agrees with the database: entries written in one transaction (group commit)
        // share their claims, and every one of them is applied.
        foreach (var (name, store, ledger) in new[] { ("A", storeA, a), ("B", storeB, b) })
        {
            await store.Feed.CatchUpAsync();
            var listed = (await ledger.ListAsync()).Count;
            var used = (await ledger.CapacityAsync(h => h.Spec.RegionId == "eu-west-1", withHosts: false)).All.Used.Gpus;
            Assert.True(listed == placed && used == placed * 4,
                $"process {name} lists {listed} workloads holding {used} GPUs; the database has {placed} holding {placed * 4} (gaps pending: {store.Feed.PendingGaps})");
        }
    }

    [Fact]
    public async Task AnEntryTheLastLoadAlreadySaw_DoesNotBringBackAReleasedWorkload()
    {
        using var storeA = await WorldStore.OpenAsync(_db.Path, () => DemoWorld.Load());
        using var storeB = await WorldStore.OpenAsync(_db.Path, () => DemoWorld.Load());
        using var a = new AllocationLedger(storeA);
        using var b = new AllocationLedger(storeB);
        await a.CreateTenantAsync(new Tenant("acme"), "test");
        var placed = await b.PlaceAsync(Spec("w"), "test");
        await storeA.Feed.CatchUpAsync(); // A has read the placement but not yet applied it
        Assert.True(await b.ReleaseAsync(placed.Id, "test"));
        ((Meridian.Storage.Changes.IChangeConsumer)a).Reload(); // A loads again: the release is in the tables

        Assert.Empty(await a.ListAsync());
        Assert.Equal(0, (await a.CapacityAsync(_ => true, false)).All.Used.Gpus);
    }

    [Fact]
    public async Task RefusedPlacement_WritesNothing()
    {
        using var store = await WorldStore.OpenAsync(_db.Path, () => DemoWorld.Load());
        using var ledger = new AllocationLedger(store);
        await ledger.CreateTenantAsync(new Tenant("acme"), "test");
        var e = await Assert.ThrowsAsync<PlacementRefusedException>(() => ledger.PlaceAsync(Spec("huge", replicas: 500), "test"));
        Assert.Equal("resources", e.Problem.Constraint);
        Assert.Empty(await ledger.ListAsync());
        Assert.Equal(0, (await ledger.CapacityAsync(_ => true, false)).All.Used.Vcpu);
    }
}

public sealed class LedgerOnSqlite() : LedgerContract(StoreKind.Sqlite);

public sealed class LedgerOnPostgres() : LedgerContract(StoreKind.Postgres);
