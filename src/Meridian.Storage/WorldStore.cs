using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Storage.Changes;
using Meridian.Storage.Data;

namespace Meridian.Storage;

/// <summary>The world in a database (SQLite or PostgreSQL, <see cref="Data.Database"/>). Resources are JSON documents keyed
/// by (kind, id); the world is held in memory as an immutable snapshot, replaced after each write here and as the change
/// log brings other processes' writes (<see cref="ChangeFeed"/>).</summary>
public sealed class WorldStore : IWorldStore, IChangeConsumer
{
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _publish = new();
    private volatile WorldSnapshot _current = new(World.Empty, 0);
    private volatile bool _reload;
    private long _droppedSeen;

    private WorldStore(Database database, TimeProvider time)
    {
        Database = database;
        _time = time;
        Feed = new ChangeFeed(database, time);
        Feed.Subscribe(this);
    }

    public Database Database { get; }

    /// <summary>Follows the change log for everything this process keeps in memory.</summary>
    public ChangeFeed Feed { get; }

    /// <summary>The placement options the ledger on this database uses; registry writes that touch hosts are checked
    /// against its allocations with them (<see cref="Ledger.AllocationGuard"/>).</summary>
    public Meridian.Placement.Capacity.PlacementOptions Placement { get; set; } = Meridian.Placement.Capacity.PlacementOptions.Default;

    /// <summary>Opens the database <paramref name="target"/> names (<see cref="Data.Database.Open"/>), applies migrations
    /// and loads the world. An empty database is given <paramref name="seed"/>'s world, written as an import by
    /// "meridian" (once, also when several replicas start together). A SQLite file that cannot be opened is an
    /// <see cref="IOException"/> naming its path; an unreachable PostgreSQL a <see cref="StoreUnavailableException"/>.</summary>
    public static async Task<WorldStore> OpenAsync(string target, Func<World>? seed = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var database = Data.Database.Open(target);
        try
        {
            database.Migrate();
            var store = new WorldStore(database, time ?? TimeProvider.System);
            using (var connection = await database.OpenAsync(cancellationToken))
            {
                // Concurrent writers can commit a number taken earlier: read the last few hundred again.
                store.Feed.Start(connection, database.ConcurrentWriters ? 1000 : 0);
                store._current = LoadSnapshot(database, connection);
            }
            if (seed is not null && store._current.Generation == 0)
                await store.WriteAsync("meridian", world => world.Count == 0 ? WorldDiff.Between(world, seed(), "seed") : [], cancellationToken);
            return store;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    public WorldSnapshot Current => _current;

    /// <summary>Applies what other processes wrote since the last call (the change log). Only when the log may have
    /// lost an entry (a gap given up, or the feed fell too far behind) is the generation read and the world reloaded if
    /// it is behind.</summary>
    public async Task<WorldSnapshot> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await Feed.CatchUpAsync(cancellationToken);
        var dropped = Feed.DroppedGaps;
        if (!_reload && dropped == Interlocked.Read(ref _droppedSeen)) return _current;
        await using var connection = await Database.OpenAsync(cancellationToken);
        if (_reload || ReadGeneration(connection, null) > _current.Generation)
        {
            _reload = false;
            Publish(LoadSnapshot(Database, connection));
        }
        Interlocked.Exchange(ref _droppedSeen, dropped);
        return _current;
    }

    /// <summary>Makes a snapshot current unless a newer one already is (a reader's reload can race a writer's publish).</summary>
    private WorldSnapshot Publish(WorldSnapshot snapshot)
    {
        lock (_publish)
        {
            if (snapshot.Generation > _current.Generation) _current = snapshot;
            return snapshot;
        }
    }

    void IChangeConsumer.Apply(IReadOnlyList<ChangeRecord> entries)
    {
        lock (_publish)
        {
            var current = _current;
            var world = current.World;
            var generation = current.Generation;
            foreach (var e in entries)
            {
                if (e.Generation <= current.Generation || Kinds.Named(e.Kind) is not { } kind) continue;
                // A whole write is missing (its entries skipped as a gap): RefreshAsync reloads.
                if (e.Generation > generation + 1)
                {
                    _reload = true;
                    break;
                }
                world = e.After is null
                    ? kind.Remove(world, e.Id)
                    : kind.Put(world, (IResource)e.After.Deserialize(kind.Type, MeridianJson.Options)!, e.Generation);
                generation = e.Generation;
            }
            if (generation > current.Generation) _current = new WorldSnapshot(world, generation);
        }
    }

    void IChangeConsumer.Reload() => _reload = true;

    public async Task<WriteResult> WriteAsync(string actor, Func<World, IReadOnlyList<Change>> decide, CancellationToken cancellationToken = default)
    {
        using var activity = StorageTelemetry.Source.StartActivity("world write");
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await Database.OpenAsync(cancellationToken);
            await using var tx = Database.BeginWrite(connection);
            // The generation row is the world's write lock (FOR UPDATE on PostgreSQL, the IMMEDIATE transaction on SQLite),
            // so the world read below stays current until commit.
            var generation = ReadGeneration(connection, tx, Database.ForUpdate);
            if (generation != _current.Generation) await Feed.CatchUpAsync(cancellationToken);
            var snapshot = generation == _current.Generation ? _current : Publish(Load(connection, tx));
            var changes = decide(snapshot.World);
            if (changes.Count == 0) return new WriteResult(snapshot, []);

            var next = generation + 1;
            var at = _time.GetUtcNow();
            var world = snapshot.World;
            var records = new List<ChangeRecord>(changes.Count);
            foreach (var change in changes)
            {
                var stored = change.Kind.VersionOf(world, change.Id);
                if (change.ExpectedVersion is { } expected && stored != expected)
                    throw new RegistryException(ProblemKind.StaleVersion, $"{change.Kind.Singular} '{change.Id}' is at version {stored?.ToString(CultureInfo.InvariantCulture) ?? "(deleted)"}, not {expected}");
                world = change.After is null ? change.Kind.Remove(world, change.Id) : change.Kind.Put(world, change.After, next);
            }
            // Hosts whose capacity the write takes or changes are claimed as a placement claims them, so a replica that
            // decided on the old world fails its compare-and-swap and decides again on this one.
            var claims = Ledger.AllocationGuard.Check(connection, tx, Database, snapshot.World, world, changes, Placement);
            foreach (var change in changes)
            {
                var before = ToNode(change.Before);
                var after = ToNode(change.After);
                if (change.After is null)
                    Sql.Execute(connection, tx, "DELETE FROM resources WHERE kind = @kind AND id = @id", ("@kind", change.Kind.Name), ("@id", change.Id));
                else
                    Sql.Execute(connection, tx,
                        "INSERT INTO resources (kind, id, version, body) VALUES (@kind, @id, @version, @body) " +
                        "ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, body = excluded.body",
                        ("@kind", change.Kind.Name), ("@id", change.Id), ("@version", next), ("@body", after!.ToJsonString()));
                var record = new ChangeRecord(0, at, actor, change.Action, change.Kind.Name, change.Id, next, before, after) { Claims = records.Count == 0 ? claims : null };
                records.Add(record with { Seq = ChangeLog.Insert(connection, tx, record) });
            }
            Sql.Execute(connection, tx, "UPDATE meta SET value = @gen WHERE key = 'generation'", ("@gen", next));
            Database.Notify(connection, tx);
            await tx.CommitAsync(cancellationToken);
            var published = Publish(new WorldSnapshot(world, next));
            Feed.Own(records.Select(r => r.Seq).ToArray());
            return new WriteResult(published, records);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<IReadOnlyList<ChangeRecord>> ChangesAsync(ChangeQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        var where = new List<string>();
        if (query.Kind is not null) { where.Add("kind = @kind"); Sql.Add(cmd, "@kind", query.Kind); }
        if (query.Id is not null) { where.Add("resource_id = @id"); Sql.Add(cmd, "@id", query.Id); }
        if (query.BeforeSeq is not null) { where.Add("seq < @before"); Sql.Add(cmd, "@before", query.BeforeSeq.Value); }
        where.Add($"kind <> '{ChangeLog.GapKind}'");
        var excluded = query.ExcludeKinds ?? [];
        if (excluded.Count > 0) where.Add($"kind NOT IN ({Sql.InList(cmd, "x", excluded.Cast<object>().ToArray())})");
        cmd.CommandText = $"SELECT {ChangeRows.Columns} FROM changes {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY seq DESC LIMIT @limit";
        Sql.Add(cmd, "@limit", query.Limit);
        return ChangeRows.Read(cmd);
    }

    /// <summary>The oldest and newest sequence numbers the change log keeps (0, 0 when empty).</summary>
    public async Task<(long Oldest, long Newest)> ChangeRangeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        return ChangeLog.Range(connection);
    }

    /// <summary>Entries after <paramref name="after"/> up to <paramref name="upTo"/>, oldest first, fillers included.</summary>
    public async Task<List<ChangeRecord>> ChangesAfterAsync(long after, long upTo, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        return ChangeLog.After(connection, after, upTo, limit);
    }

    /// <summary>Deletes change-log entries written before <paramref name="cutoff"/> (<see cref="ChangeLog.Compact"/>).</summary>
    public async Task<int> CompactChangesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        return ChangeLog.Compact(connection, cutoff);
    }

    public void Dispose()
    {
        _writeLock.Dispose();
        Database.Dispose();
    }

    /// <summary>The world and its generation as of one moment, outside a write.</summary>
    private static WorldSnapshot LoadSnapshot(Database database, DbConnection connection)
    {
        using var tx = database.BeginRead(connection);
        var snapshot = Load(connection, tx);
        tx.Commit();
        return snapshot;
    }

    private static WorldSnapshot Load(DbConnection connection, DbTransaction? tx)
    {
        var generation = ReadGeneration(connection, tx);
        using var cmd = Sql.Command(connection, tx, "SELECT kind, version, body FROM resources");
        using var reader = cmd.ExecuteReader();
        var world = World.Empty;
        while (reader.Read())
        {
            var kind = Kinds.Named(reader.GetString(0)) ?? throw new InvalidDataException($"unknown kind '{reader.GetString(0)}' in the database");
            var item = (IResource)JsonSerializer.Deserialize(reader.GetString(2), kind.Type, MeridianJson.Options)!;
            world = kind.Put(world, item, Sql.Int64(reader, 1));
        }
        return new WorldSnapshot(world, generation);
    }

    private static long ReadGeneration(DbConnection connection, DbTransaction? tx, string lockSuffix = "") =>
        Sql.Long(connection, tx, "SELECT value FROM meta WHERE key = 'generation'" + lockSuffix);

    private static JsonNode? ToNode(IResource? item) => item is null ? null : JsonSerializer.SerializeToNode(item, item.GetType(), MeridianJson.Options);
}
