using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Validation;
using Meridian.Storage.Changes;
using Meridian.Storage.Registry;
using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Tests.Contract;

/// <summary>The world store's contract, run against both databases.</summary>
public abstract class WorldStoreContract(StoreKind kind) : IDisposable
{
    private static readonly LifecycleEvent[] Live = [new(LifecycleStatus.Live, new DateOnly(2020, 1, 1))];
    protected readonly TempDatabase _db = new(kind);

    public void Dispose() => _db.Dispose();

    private static Region Region(string id, string name = "Test") => new(id, name, "Frankfurt", "DE", new GeoPoint(50, 8), Live, []);

    private long Count(string path, string table) => _db.Count(table);

    [Fact]
    public async Task Migrations_AreRecordedOnce_EvenWhenThreeProcessesOpenAtOnce()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => WorldStore.OpenAsync(_db.Path, () => Kinds.Regions.Put(World.Empty, Region("eu-test-1"), 1)))));
        foreach (var s in opened) s.Dispose();
        using (await WorldStore.OpenAsync(_db.Path)) { }
        Assert.Equal(6, Count(_db.Path, "schema_migrations")); // registry, allocation ledger, plans, security, replicas, retention
        Assert.Equal(1, Count(_db.Path, "resources")); // seeded once
    }

    [Fact]
    public async Task Write_StoresResourceAndChangeLogEntry_WithTheNewGenerationAsVersion()
    {
        using var store = await WorldStore.OpenAsync(_db.Path);
        var result = await store.WriteAsync("alice", RegistryCommands.Create(Kinds.Regions, Region("eu-test-1")));

        Assert.Equal(1, result.Snapshot.Generation);
        Assert.Equal(1, Kinds.Regions.VersionOf(result.Snapshot.World, "eu-test-1"));
        var change = Assert.Single(await store.ChangesAsync(new ChangeQuery()));
        Assert.Equal(("alice", "create", "regions", "eu-test-1"), (change.Actor, change.Action, change.Kind, change.Id));
        Assert.Null(change.Before);
        Assert.Equal("Test", change.After!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefusedWrite_LeavesDatabaseUnchanged()
    {
        using var store = await WorldStore.OpenAsync(_db.Path);
        await store.WriteAsync("alice", RegistryCommands.Create(Kinds.Regions, Region("eu-test-1")));

        var e = await Assert.ThrowsAsync<RegistryException>(() => store.WriteAsync("bob", RegistryCommands.Create(Kinds.Regions, Region("eu-test-1"))));
        Assert.Equal(ProblemKind.Conflict, e.Kind);
        Assert.Equal(1, Count(_db.Path, "changes"));
        Assert.Equal(1, Count(_db.Path, "resources"));
        Assert.Equal(1, store.Current.Generation);
    }

    [Fact]
    public async Task StaleVersion_IsRefused_AndCurrentVersionSucceeds()
    {
        using var store = await WorldStore.OpenAsync(_db.Path);
        await store.WriteAsync("a", RegistryCommands.Create(Kinds.Regions, Region("eu-test-1")));
        await store.WriteAsync("a", RegistryCommands.Create(Kinds.Regions, Region("eu-test-2")));

        var stale = await Assert.ThrowsAsync<RegistryException>(() =>
            store.WriteAsync("b", RegistryCommands.Update(Kinds.Regions, "eu-test-1", 2, r => ((Region)r) with { Name = "Renamed" })));
        Assert.Equal(ProblemKind.StaleVersion, stale.Kind);

        var ok = await store.WriteAsync("b", RegistryCommands.Update(Kinds.Regions, "eu-test-1", 1, r => ((Region)r) with { Name = "Renamed" }));
        Assert.Equal(3, Kinds.Regions.VersionOf(ok.Snapshot.World, "eu-test-1"));
        Assert.Equal("Renamed", ok.Snapshot.World.Regions.Find("eu-test-1")!.Name);
    }

    [Fact]
    public async Task SecondProcessWrites_AreSeenAfterRefresh_AndWritesAreDecidedOnTheLatestWorld()
    {
        using var first = await WorldStore.OpenAsync(_db.Path);
        using var second = await WorldStore.OpenAsync(_db.Path);
        await second.WriteAsync("other", RegistryCommands.Create(Kinds.Regions, Region("eu-test-1")));

        Assert.Equal(0, first.Current.Generation);
        // Without a refresh, the first store still decides on the database's latest world: no duplicate slips in.
        await Assert.ThrowsAsync<RegistryException>(() => first.WriteAsync("me", RegistryCommands.Create(Kinds.Regions, Region("eu-test-1"))));
        Assert.Equal(1, (await first.RefreshAsync()).Generation);
        Assert.NotNull(first.Current.World.Regions.Find("eu-test-1"));
    }

    [Fact]
    public async Task ConcurrentUpdatesWithTheSameVersion_OnlyOneWins()
    {
        using var store = await WorldStore.OpenAsync(_db.Path);
        await store.WriteAsync("a", RegistryCommands.Create(Kinds.Regions, Region("eu-test-1")));
        using var other = await WorldStore.OpenAsync(_db.Path);

        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var target = i % 2 == 0 ? store : other;
            try
            {
                await target.WriteAsync($"w{i}", RegistryCommands.Update(Kinds.Regions, "eu-test-1", 1, r => ((Region)r) with { Name = $"N{i}" }));
                return true;
            }
            catch (RegistryException e) when (e.Kind == ProblemKind.StaleVersion)
            {
                return false;
            }
        })).ToArray();
        var outcomes = await Task.WhenAll(attempts);
        Assert.Equal(1, outcomes.Count(x => x));
        Assert.Equal(2, Count(_db.Path, "changes"));
    }

    [Fact]
    public async Task Seed_IsWrittenOnlyIntoAnEmptyDatabase()
    {
        var seeded = 0;
        World Seed()
        {
            seeded++;
            return Kinds.Regions.Put(World.Empty, Region("eu-test-1"), 1);
        }
        using (var s = await WorldStore.OpenAsync(_db.Path, Seed)) Assert.Single(s.Current.World.Regions);
        using (var s = await WorldStore.OpenAsync(_db.Path, Seed)) Assert.Equal(1, s.Current.Generation);
        Assert.Equal(1, seeded);
    }
}

public sealed class WorldStoreOnSqlite() : WorldStoreContract(StoreKind.Sqlite)
{
    [Fact]
    public async Task Open_UsesWal()
    {
        using (await WorldStore.OpenAsync(_db.Path)) { }
        using var c = new SqliteConnection($"Data Source={_db.Path}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }
}

public sealed class WorldStoreOnPostgres() : WorldStoreContract(StoreKind.Postgres);
