using CsCheck;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Validation;
using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Storage.Changes;
using Meridian.Storage.Ledger;
using Meridian.Storage.Registry;
using Meridian.Storage.Worlds;
using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Tests.Ledger;

/// <summary>Random sequences of registry and ledger operations (create, shrink, grow, move and delete hosts; import;
/// place; release; drain): afterwards every host's allocations fit its capacity and no GPU share is held twice, or the
/// operation that would have broken that was refused. Checked on the database itself, after every operation.</summary>
public sealed class CapacityInvariantTests
{
    /// <summary>The demo world with only London's hosts: a small fleet that random operations fill and shrink quickly.</summary>
    private static readonly Lazy<World> London = new(() =>
    {
        var world = DemoWorld.Load();
        foreach (var host in world.Hosts.Values.Where(h => !h.ZoneId.StartsWith("eu-west-1", StringComparison.Ordinal)).ToArray())
            world = Kinds.Hosts.Remove(world, host.Id);
        return world;
    });

    private enum Op { Place, Release, Shrink, Grow, Delete, Create, Move, Import, Drain, Reopen }

    private readonly record struct Step(Op Op, int Host, int Size, int Gpus, int Replicas, bool Flag);

    private static readonly Gen<Step> Steps = Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 60], Gen.Int[1, 64], Gen.Int[0, 8], Gen.Int[1, 4], Gen.Bool)
        .Select((op, host, size, gpus, replicas, flag) => new Step(op, host, size, gpus, replicas, flag));

    [Fact]
    public void RandomOperations_NeverBreakCapacity()
    {
        Steps.Array[5, 30].Sample(steps => Run(steps).GetAwaiter().GetResult(), iter: 40, threads: 1, seed: "0N0XIzUBj1W8");
    }

    private static async Task Run(Step[] steps)
    {
        using var db = new TempDatabase();
        using var store = await WorldStore.OpenAsync(db.Path, () => London.Value);
        using var ledger = new AllocationLedger(store);
        await ledger.CreateTenantAsync(new Tenant("acme"), "test");
        var workloads = new List<string>();
        var n = 0;
        foreach (var step in steps)
        {
            try
            {
                await Apply(step, store, ledger, workloads, n++);
            }
            catch (RegistryException e) when (!e.Message.Contains("no tenant", StringComparison.Ordinal))
            {
                // Refused: nothing was written, which the invariant below also checks. (A missing tenant would be the
                // test's own fault and would hide every placement: it fails the test.)
            }
            catch (PlacementRefusedException)
            {
            }
            Check(db.Path, store.Current.World, store.Placement);
            await CheckLedgerMatchesDatabase(ledger, db.Path);
        }
    }

    private static async Task Apply(Step s, WorldStore store, AllocationLedger ledger, List<string> workloads, int n)
    {
        var world = store.Current.World;
        var hosts = world.Hosts.Values.ToArray();
        var host = hosts.Length == 0 ? null : hosts[s.Host % hosts.Length];
        switch (s.Op)
        {
            case Op.Place:
                var spec = new WorkloadSpec("acme", $"w{n}", s.Replicas,
                    new ResourceSpec(s.Size % 24 + 1, s.Size * 4, s.Gpus % 3, s.Flag ? 0.5 : 1.0),
                    new ConstraintSpec(Regions: ["eu-west-1"]), s.Flag ? PlacementStrategy.Pack : PlacementStrategy.Spread);
                workloads.Add((await ledger.PlaceAsync(spec, "test")).Id);
                break;
            case Op.Release when workloads.Count > 0:
                var id = workloads[s.Host % workloads.Count];
                await ledger.ReleaseAsync(id, "test");
                workloads.Remove(id);
                break;
            case Op.Shrink when host is not null:
                await Write(store, host, host with { Vcpu = Math.Max(1, host.Vcpu / (s.Size % 8 + 1)), MemoryGiB = Math.Max(1, host.MemoryGiB / (s.Size % 8 + 1)), Gpus = host.Gpus == 0 ? 0 : s.Gpus % (host.Gpus + 1) });
                break;
            case Op.Grow when host is not null:
                await Write(store, host, host with { Vcpu = host.Vcpu + s.Size, MemoryGiB = host.MemoryGiB + s.Size * 8, Gpus = host.Gpus == 0 ? 0 : host.Gpus + s.Gpus });
                break;
            case Op.Delete when host is not null:
                await store.WriteAsync("test", RegistryCommands.Delete(Kinds.Hosts, host.Id, null));
                break;
            case Op.Create when host is not null:
                await store.WriteAsync("test", RegistryCommands.Create(Kinds.Hosts, host with { Id = $"new-{n}", Gpus = s.Gpus, GpuModel = s.Gpus > 0 ? "H20" : null }));
                break;
            case Op.Move when host is not null:
                var other = hosts.FirstOrDefault(h => h.ZoneId != host.ZoneId);
                if (other is not null) await Write(store, host, host with { ZoneId = other.ZoneId, FacilityId = other.FacilityId });
                break;
            case Op.Import when hosts.Length > 0:
                // A world without some hosts and with others shrunk, as a whole-world import would bring.
                var next = world;
                foreach (var h in hosts.Where((_, i) => (i + s.Host) % (s.Size % 5 + 2) == 0))
                    next = s.Flag ? Kinds.Hosts.Remove(next, h.Id) : Kinds.Hosts.Put(next, h with { Vcpu = 1, MemoryGiB = 1, Gpus = 0 }, 0);
                await store.WriteAsync("import", current => WorldDiff.Between(current, next, "import"));
                break;
            case Op.Drain when host is not null:
                await ledger.DrainFacilityAsync(host.FacilityId, s.Flag, "test");
                break;
            case Op.Reopen when host is not null && LifecycleRules.Current(world.Facilities.Find(host.FacilityId)!.History) == LifecycleStatus.Draining:
                await store.WriteAsync("test", RegistryCommands.Transition(Kinds.Facilities, host.FacilityId,
                    new LifecycleEvent(s.Flag ? LifecycleStatus.Closed : LifecycleStatus.Live, DateOnly.FromDateTime(DateTime.UtcNow)), null));
                break;
        }
    }

    private static Task Write(WorldStore store, Host before, Host after) =>
        store.WriteAsync("test", RegistryCommands.Update(Kinds.Hosts, before.Id, null, _ => after));

    /// <summary>Every allocation in the database is on a host that exists, in a facility that is not closed, and every
    /// host's allocations fit it: vCPU, memory, and each GPU's share, with no GPU index past the host's GPUs.</summary>
    private static void Check(string path, World world, PlacementOptions options)
    {
        var held = new Dictionary<string, List<(int Vcpu, long Memory, string Gpus)>>(StringComparer.Ordinal);
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT host_id, vcpu_milli, memory_mib, gpus FROM allocations";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var list = held.TryGetValue(r.GetString(0), out var l) ? l : held[r.GetString(0)] = [];
                list.Add((r.GetInt32(1), r.GetInt64(2), r.GetString(3)));
            }
        }
        foreach (var (hostId, allocations) in held)
        {
            var host = world.Hosts.Find(hostId);
            Assert.True(host is not null, $"an allocation is on host {hostId}, which is gone");
            var facility = world.Facilities.Find(host.FacilityId)!;
            Assert.NotEqual(LifecycleStatus.Closed, LifecycleRules.Current(facility.History));
            Assert.True(allocations.Sum(a => (long)a.Vcpu) <= (long)Math.Floor((host.Vcpu * 1000 - options.ReservedVcpuMilli) * options.VcpuRatio), $"vCPU over-committed on {hostId}");
            Assert.True(allocations.Sum(a => a.Memory) <= (long)Math.Floor((host.MemoryGiB * 1024L - options.ReservedMemoryMiB) * options.MemoryRatio), $"memory over-committed on {hostId}");
            var perGpu = allocations.SelectMany(a => System.Text.Json.JsonSerializer.Deserialize<GpuShare[]>(a.Gpus, Core.Serialization.MeridianJson.Options)!)
                .GroupBy(g => g.Index).ToArray();
            foreach (var gpu in perGpu)
            {
                Assert.InRange(gpu.Key, 0, host.Gpus - 1);
                Assert.True(gpu.Sum(g => g.Milli) <= 1000 * options.GpuRatio, $"GPU {gpu.Key} of {hostId} is held {gpu.Sum(g => g.Milli)}/1000");
            }
        }
    }

    /// <summary>The ledger's capacity report counts exactly what the database holds on the hosts in service.</summary>
    private static async Task CheckLedgerMatchesDatabase(AllocationLedger ledger, string path)
    {
        var report = await ledger.CapacityAsync(_ => true, withHosts: false);
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT vcpu_milli, gpus FROM allocations";
        long vcpu = 0, gpuMilli = 0;
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                vcpu += r.GetInt32(0);
                gpuMilli += System.Text.Json.JsonSerializer.Deserialize<GpuShare[]>(r.GetString(1), Core.Serialization.MeridianJson.Options)!.Sum(g => g.Milli);
            }
        }
        Assert.Equal(vcpu / 1000.0, report.All.Used.Vcpu, 3);
        Assert.Equal(gpuMilli / 1000.0, report.All.Used.Gpus, 3);
    }
}
