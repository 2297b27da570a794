using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Storage.Ledger;
using Meridian.Storage.Registry;
using Meridian.Storage.Worlds;

namespace Meridian.Storage.Tests.Ledger;

/// <summary>The whole-GPU reserve as the ledger applies it to the fragmentation-aware strategy, on SQLite: eight
/// one-GPU hosts in one zone, five taken by a one-GPU workload, and 0.6-GPU shares (two never fit on one GPU, so each
/// takes a GPU of its own in the mix's best packing).</summary>
public sealed class WholeGpuReserveLedgerTests
{
    private static World EightOneGpuHosts()
    {
        var world = DemoWorld.Load();
        var site = world.Hosts.Values.First(h => h.ZoneId.StartsWith("eu-west-1", StringComparison.Ordinal));
        foreach (var host in world.Hosts.Values.ToArray()) world = Kinds.Hosts.Remove(world, host.Id);
        for (var i = 1; i <= 8; i++) world = Kinds.Hosts.Put(world, new Host($"h{i}", site.ZoneId, site.FacilityId, 32, 64, 1, "A10"), 0);
        return world;
    }

    private static WorkloadSpec Spec(string name, double share, int replicas = 1) => new("acme", name, replicas, new ResourceSpec(1, 1, 1, share));

    private static async Task<(TempDatabase Db, WorldStore Store, AllocationLedger Ledger)> OpenAsync(PlacementOptions options)
    {
        var db = new TempDatabase();
        var store = await WorldStore.OpenAsync(db.Path, EightOneGpuHosts);
        var ledger = new AllocationLedger(store, options: options);
        await ledger.CreateTenantAsync(new Tenant("acme"), "test");
        await ledger.PlaceAsync(Spec("train", 1.0, replicas: 5), "test");
        await ledger.PlaceAsync(Spec("s1", 0.6), "test");
        // Two whole GPUs left, 2.4 GPUs free; the mix with this share in it expects 5 / 6.2 of it to be whole-GPU work
        // (1.94 GPUs): the two whole GPUs are more, so the share may open one.
        await ledger.PlaceAsync(Spec("s2", 0.6), "test");
        return (db, store, ledger);
    }

    [Fact]
    public async Task A_share_that_would_open_one_of_the_whole_gpus_the_mix_still_needs_is_refused_and_nothing_is_written()
    {
        var (db, store, ledger) = await OpenAsync(PlacementOptions.Default);
        using (db) using (store) using (ledger)
        {
            var before = (await ledger.ListAsync()).Count;
            // One whole GPU left of 1.8 free; 5 / 6.8 of that (1.32 GPUs) is expected to be whole-GPU work.
            var e = await Assert.ThrowsAsync<PlacementRefusedException>(() => ledger.PlaceAsync(Spec("s3", 0.6), "test"));
            Assert.Equal("reserve", e.Problem.Constraint);
            Assert.Contains("whole GPU", e.Message);
            Assert.Equal(before, (await ledger.ListAsync()).Count);
            // A retry is not demand waiting beside itself: refused again.
            await Assert.ThrowsAsync<PlacementRefusedException>(() => ledger.PlaceAsync(Spec("s3", 0.6), "test"));
            // The whole GPU it kept takes the one-GPU work it was kept for.
            var late = await ledger.PlaceAsync(Spec("late", 1.0), "test");
            Assert.Equal(1000, late.Allocations.Single().Gpus.Single().Milli);
        }
    }

    [Fact]
    public async Task Without_the_reserve_the_same_share_opens_the_last_whole_gpu()
    {
        var (db, store, ledger) = await OpenAsync(PlacementOptions.Default with { KeepWholeGpus = false });
        using (db) using (store) using (ledger)
        {
            var s3 = await ledger.PlaceAsync(Spec("s3", 0.6), "test");
            Assert.Equal(600, s3.Allocations.Single().Gpus.Single().Milli);
            await Assert.ThrowsAsync<PlacementRefusedException>(() => ledger.PlaceAsync(Spec("late", 1.0), "test"));
        }
    }

    [Fact]
    public async Task Demand_that_found_no_room_is_expected_to_take_the_free_gpus_so_the_share_is_admitted()
    {
        var (db, store, ledger) = await OpenAsync(PlacementOptions.Default);
        using (db) using (store) using (ledger)
        {
            // Two one-GPU replicas find one whole GPU: refused for room, 2 GPUs of demand wait, more than the 1.8 free.
            var big = await Assert.ThrowsAsync<PlacementRefusedException>(() => ledger.PlaceAsync(Spec("big", 1.0, replicas: 2), "test"));
            Assert.Equal("resources", big.Problem.Constraint);
            var s3 = await ledger.PlaceAsync(Spec("s3", 0.6), "test");
            Assert.Single(s3.Allocations);
        }
    }

    [Fact]
    public async Task Pack_and_spread_never_refuse_for_the_reserve()
    {
        var (db, store, ledger) = await OpenAsync(PlacementOptions.Default);
        using (db) using (store) using (ledger)
        {
            var packed = await ledger.PlaceAsync(Spec("s3", 0.6) with { Strategy = PlacementStrategy.Pack }, "test");
            Assert.Single(packed.Allocations);
        }
    }
}
