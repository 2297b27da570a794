using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Meridian.Client;
using Meridian.Placement.Capacity;
using Meridian.Storage.Tests;

namespace Meridian.Cli.Tests.Replicas;

/// <summary>Three `meridian serve` processes on one PostgreSQL, 64 clients placing and releasing GPU workloads for 60 s
/// in one region (more demand than GPUs, so replicas contend for the same hosts). One replica is killed with SIGKILL at
/// 15 s; PostgreSQL is stopped for a few seconds at 30 s. Afterwards: no host over-committed, every acknowledged
/// workload still there, every acknowledged release gone, and no 5xx but 503 with problem details.</summary>
public sealed class ReliabilityTests(ITestOutputHelper output)
{
    private const int Clients = 64;
    private const int HeldPerClient = 3;
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_replicas_64_clients_a_killed_replica_and_a_database_outage_lose_nothing_and_overcommit_nothing()
    {
        var pg = PostgresServer.StartNew();
        var shared = Directory.CreateTempSubdirectory("meridian-reliability-").FullName;
        var replicas = new List<ReplicaProcess>();
        try
        {
            var url = pg.CreateDatabase();
            // The first creates the schema, the demo world and the one admin token; the others find them.
            replicas.Add(await ReplicaProcess.StartAsync(url, shared));
            replicas.AddRange(await Task.WhenAll(ReplicaProcess.StartAsync(url, shared), ReplicaProcess.StartAsync(url, shared)));
            var admin = new MeridianClient(new Uri(replicas[0].Url), (await File.ReadAllTextAsync(Path.Combine(shared, "admin-token"))).Trim());
            await admin.CreateTenantAsync("load", "reliability test", null);
            var member = (await admin.CreateTokenAsync("load-clients", "member", "load", null)).Token!;
            var clients = replicas.Select(r => new MeridianClient(new Uri(r.Url), member, TimeSpan.FromSeconds(30)) { ReadAttempts = 1 }).ToArray();

            var run = new Run(clients);
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, Clients).Select(w => Task.Run(() => run.WorkAsync(w, clock))).ToArray();

            await Until(clock, TimeSpan.FromSeconds(15));
            var ackedBeforeKill = run.Acknowledged;
            // Marked first: a request in flight to it when it dies is expected to fail.
            run.Dead[2] = true;
            replicas[2].Kill();

            await Until(clock, TimeSpan.FromSeconds(30));
            var ackedBeforeOutage = run.Acknowledged;
            pg.Stop(removeFiles: false);
            using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
            {
                probe.DefaultRequestHeaders.Authorization = new("Bearer", member);
                foreach (var r in replicas.Take(2))
                {
                    var during = await probe.PostAsync(r.Url + "api/v1/workloads", Json(Request("probe-" + r.Port)));
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
                    Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
                    Assert.NotNull(during.Headers.RetryAfter);
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync(r.Url + "readyz")).StatusCode);
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
            pg.Start();
            foreach (var r in replicas.Take(2)) await r.WaitReadyAsync();
            var ackedAfterOutage = run.Acknowledged;

            await Until(clock, RunFor);
            run.Stop();
            await Task.WhenAll(workers);

            output.WriteLine($"acknowledged {run.Acknowledged} placements ({ackedBeforeKill} before the kill, {ackedBeforeOutage} before the outage), " +
                             $"{run.Released.Count} releases, {run.Refused} refused (422 full / 409 conflict), {run.Unavailable} 503s, {run.Unreachable} unreachable");
            Assert.True(run.Unexpected.IsEmpty, $"{run.Unexpected.Count} unexpected answers:\n" + string.Join("\n", run.Unexpected.Take(20)) +
                                                string.Concat(replicas.Select(r => $"\n--- replica {r.Url}:\n{FirstFailure(r.Output)}")));
            Assert.True(ackedBeforeKill > 0, "nothing was placed before the kill");
            Assert.True(ackedBeforeOutage > ackedBeforeKill, "nothing was placed between the kill and the outage");
            Assert.True(run.Acknowledged > ackedAfterOutage, "nothing was placed after the database came back");
            Assert.True(run.Refused > 0, "demand never exceeded the region's GPUs, so the replicas did not contend");

            // What the database holds, read through a surviving replica and straight from PostgreSQL.
            var reader = new MeridianClient(new Uri(replicas[1].Url), member);
            var stored = (await reader.ListWorkloadsAsync("load")).ToDictionary(w => w.Id);
            foreach (var (id, placed) in run.Held)
            {
                Assert.True(stored.TryGetValue(id, out var w), $"workload {id} was acknowledged and never released, but is gone");
                Assert.Equal(placed.Allocations.Select(a => a.Host), w.Allocations.Select(a => a.Host));
            }
            foreach (var id in run.Released.Keys) Assert.False(stored.ContainsKey(id), $"workload {id} was released (204) but is still there");
            await AssertNoHostOverCommittedAsync(url);
        }
        finally
        {
            foreach (var r in replicas) r.Dispose();
            pg.Stop();
            try { Directory.Delete(shared, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Every host's allocations, summed in the database, fit it (vCPU, memory and each GPU's share).</summary>
    private static async Task AssertNoHostOverCommittedAsync(string url)
    {
        using var store = await global::Meridian.Storage.WorldStore.OpenAsync(url);
        var world = store.Current.World;
        var options = new PlacementOptions();
        await using var c = new Npgsql.NpgsqlConnection(global::Meridian.Storage.Data.PostgresDatabase.Parse(url).ConnectionString);
        await c.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT host_id, vcpu_milli, memory_mib, gpus FROM allocations", c);
        var held = new Dictionary<string, List<(long Vcpu, long Memory, JsonArray Gpus)>>(StringComparer.Ordinal);
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                var list = held.TryGetValue(r.GetString(0), out var l) ? l : held[r.GetString(0)] = [];
                list.Add((r.GetInt64(1), r.GetInt64(2), JsonNode.Parse(r.GetString(3))!.AsArray()));
            }
        }
        Assert.NotEmpty(held);
        foreach (var (hostId, allocations) in held)
        {
            var host = world.Hosts.Find(hostId)!;
            Assert.True(allocations.Sum(a => a.Vcpu) <= (long)Math.Floor((host.Vcpu * 1000 - options.ReservedVcpuMilli) * options.VcpuRatio), $"vCPU over-committed on {hostId}");
            Assert.True(allocations.Sum(a => a.Memory) <= (long)Math.Floor((host.MemoryGiB * 1024L - options.ReservedMemoryMiB) * options.MemoryRatio), $"memory over-committed on {hostId}");
            foreach (var gpu in allocations.SelectMany(a => a.Gpus).GroupBy(g => g!["index"]!.GetValue<int>()))
            {
                Assert.InRange(gpu.Key, 0, host.Gpus - 1);
                var milli = gpu.Sum(g => g!["milli"]!.GetValue<int>());
                Assert.True(milli <= 1000 * options.GpuRatio, $"GPU {gpu.Key} of {hostId} is held {milli}/1000");
            }
        }
    }

    /// <summary>The first logged failure of a replica and the lines after it (its exception).</summary>
    private static string FirstFailure(string log)
    {
        var at = log.IndexOf("fail:", StringComparison.Ordinal);
        return at < 0 ? "(no failure logged)" : log.Substring(at, Math.Min(4000, log.Length - at));
    }

    private static async Task Until(Stopwatch clock, TimeSpan at)
    {
        if (clock.Elapsed < at) await Task.Delay(at - clock.Elapsed);
    }

    internal static JsonObject Request(string name, bool share = false) => new()
    {
        ["tenant"] = "load", ["name"] = name, ["replicas"] = 1,
        ["resources"] = share
            ? new JsonObject { ["vcpu"] = 2, ["memoryGiB"] = 8, ["gpus"] = 0, ["gpuShare"] = 0.5 }
            : new JsonObject { ["vcpu"] = 4, ["memoryGiB"] = 16, ["gpus"] = 1 },
        // One region: more demand than its GPUs, so the replicas claim the same hosts.
        ["constraints"] = new JsonObject { ["regions"] = new JsonArray("ap-northeast-1") },
    };

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    /// <summary>The clients' shared record of what the servers acknowledged.</summary>
    private sealed class Run(MeridianClient[] clients)
    {
        private volatile bool _stopped;
        private int _acknowledged;
        private int _refused;
        private int _unavailable;
        private int _unreachable;

        public int Unavailable => Volatile.Read(ref _unavailable);

        public int Unreachable => Volatile.Read(ref _unreachable);

        public bool[] Dead { get; } = new bool[clients.Length];

        /// <summary>Placed (201) and not released.</summary>
        public ConcurrentDictionary<string, WorkloadView> Held { get; } = new();

        /// <summary>Released (204).</summary>
        public ConcurrentDictionary<string, bool> Released { get; } = new();

        public ConcurrentQueue<string> Unexpected { get; } = new();

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public int Refused => Volatile.Read(ref _refused);

        public void Stop() => _stopped = true;

        public async Task WorkAsync(int worker, Stopwatch clock)
        {
            var mine = new Queue<string>();
            var next = worker;
            for (var i = 0; !_stopped; i++)
            {
                var client = Pick(ref next);
                try
                {
                    var placed = await client.PlaceAsync(Request($"w{worker}-{i}", share: i % 3 == 0));
                    Held[placed.Id] = placed;
                    mine.Enqueue(placed.Id);
                    Interlocked.Increment(ref _acknowledged);
                }
                catch (MeridianApiException e) when (e.Status is 409 or 422)
                {
                    // 422: the region is full; 409: compare-and-swap lost every retry. Both are answers, not failures.
                    Interlocked.Increment(ref _refused);
                    if (e.Status == 422 && mine.Count > 0) await ReleaseAsync(mine.Dequeue(), clock);
                }
                catch (Exception e) when (e is MeridianApiException { Status: 503 } or ServerUnreachableException)
                {
                    Check(e, clock);
                    await Task.Delay(100);
                }
                catch (MeridianApiException e)
                {
                    Unexpected.Enqueue($"{clock.Elapsed.TotalSeconds:0.0}s place on {client.Server}: {e.Status} {e.Problem?.Detail}");
                }
                if (mine.Count > HeldPerClient) await ReleaseAsync(mine.Dequeue(), clock);
            }
        }

        /// <summary>Releases on any live replica until one acknowledges it; a 404 after an unanswered attempt means that
        /// attempt did it.</summary>
        private async Task ReleaseAsync(string id, Stopwatch clock)
        {
            var next = id.GetHashCode() & 0xff;
            var unanswered = false;
            for (var attempt = 0; attempt < 600; attempt++)
            {
                var client = Pick(ref next);
                try
                {
                    if (await client.ReleaseAsync(id) || unanswered)
                    {
                        Held.TryRemove(id, out _);
                        Released[id] = true;
                        return;
                    }
                    Unexpected.Enqueue($"{clock.Elapsed.TotalSeconds:0.0}s release of {id} on {client.Server}: 404 for a workload that was acknowledged");
                    return;
                }
                catch (Exception e) when (e is MeridianApiException { Status: 503 } or ServerUnreachableException)
                {
                    Check(e, clock);
                    // Neither a dead replica nor a 503 says whether the release happened.
                    unanswered = true;
                    await Task.Delay(100);
                }
                catch (MeridianApiException e)
                {
                    Unexpected.Enqueue($"{clock.Elapsed.TotalSeconds:0.0}s release of {id} on {client.Server}: {e.Status} {e.Problem?.Detail}");
                    return;
                }
            }
            Unexpected.Enqueue($"release of {id} never succeeded");
        }

        /// <summary>A 503 must carry problem details; an unreachable replica must be the one killed.</summary>
        private void Check(Exception e, Stopwatch clock)
        {
            Interlocked.Increment(ref e is ServerUnreachableException ? ref _unreachable : ref _unavailable);
            if (e is MeridianApiException { Problem.Status: null } or MeridianApiException { Problem.Title: null })
                Unexpected.Enqueue($"{clock.Elapsed.TotalSeconds:0.0}s a 503 without problem details");
            if (e is ServerUnreachableException u && !Dead[Array.FindIndex(clients, c => c.Server == u.Server)])
                Unexpected.Enqueue($"{clock.Elapsed.TotalSeconds:0.0}s {u.Message}, which was not killed");
        }

        private MeridianClient Pick(ref int next)
        {
            for (var i = 0; i < clients.Length; i++)
            {
                var c = clients[next++ % clients.Length];
                if (!Dead[Array.IndexOf(clients, c)]) return c;
            }
            return clients[0];
        }
    }
}
