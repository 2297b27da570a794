using System.Data.Common;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Validation;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;
using Meridian.Storage.Registry;

namespace Meridian.Storage.Ledger;

/// <summary>Draining a facility, and the writes that are not batched (drains, tenants).</summary>
public sealed partial class AllocationLedger
{
    /// <summary>Plans moving a Live or Draining facility's replicas and changes nothing; with <paramref name="apply"/>
    /// marks a Live facility Draining and moves them. Returns the plan and how many replicas remain on the facility.</summary>
    public async Task<(DrainPlan Plan, int Remaining)> DrainFacilityAsync(string facilityId, bool apply, string actor, CancellationToken ct = default)
    {
        var facility = _store.Current.World.Facilities.Find(facilityId) ?? throw RegistryException.NotFound("facility", facilityId);
        var status = LifecycleRules.Current(facility.History);
        if (status == LifecycleStatus.Live && apply)
        {
            var on = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
            await _store.WriteAsync(actor, RegistryCommands.Transition(Kinds.Facilities, facilityId,
                new LifecycleEvent(LifecycleStatus.Draining, on, Note: "drain requested"), null), ct);
        }
        else if (status is not (LifecycleStatus.Live or LifecycleStatus.Draining))
        {
            throw new RegistryException(ProblemKind.Conflict, $"facility '{facilityId}' is {status}; only a Live or Draining facility drains",
                [new("status", $"is {status}")]);
        }
        var plan = await DrainAsync(facilityId, apply, actor, ct);
        return (plan, await AllocationsInFacilityAsync(facilityId, ct));
    }

    /// <summary>Plans moving every replica off a facility; with <paramref name="apply"/>, moves them in one transaction.</summary>
    public async Task<DrainPlan> DrainAsync(string facilityId, bool apply, string actor, CancellationToken ct = default)
    {
        if (!apply) return await ReadAsync(ct, () => DrainPlanner.Plan(_fleet, _workloads.Values, facilityId, apply: false));
        return await ExclusiveAsync<DrainPlan>(ct, (c, tx) =>
        {
            var plan = DrainPlanner.Plan(_fleet, _workloads.Values, facilityId, apply: true);
            var updated = new List<Workload>();
            var seqs = new List<long>();
            try
            {
                var touched = plan.Moves.SelectMany(m => new[] { m.FromHost, m.To.HostId }).ToArray();
                var generations = Claims.LockHosts(c, tx, _db, touched);
                if (generations.Any(g => g.Value != _hostGenerations.GetValueOrDefault(g.Key))) throw new ConflictException();
                var hosts = generations.ToDictionary(g => g.Key, g => g.Value + 1, StringComparer.Ordinal);
                foreach (var group in plan.Moves.GroupBy(m => m.WorkloadId))
                {
                    var before = _workloads[group.Key];
                    var moved = group.ToDictionary(m => m.Replica, m => m.To);
                    var after = before with { Allocations = before.Allocations.Select(a => moved.GetValueOrDefault(a.Replica) ?? a).ToArray() };
                    foreach (var m in group)
                    {
                        Data.Sql.Execute(c, tx, "DELETE FROM allocations WHERE workload_id = @w AND replica = @r", ("@w", m.WorkloadId), ("@r", m.Replica));
                        LedgerRows.InsertAllocation(c, tx, m.WorkloadId, m.To);
                    }
                    var mine = group.SelectMany(m => new[] { m.FromHost, m.To.HostId }).Distinct(StringComparer.Ordinal).ToDictionary(h => h, h => hosts[h], StringComparer.Ordinal);
                    seqs.Add(LedgerRows.LogChange(c, tx, _time.GetUtcNow(), actor, "drain", before.Id, before, after, Claims.Json(mine, null)));
                    updated.Add(after);
                }
                Claims.SetHosts(c, tx, hosts);
                return (plan, (IReadOnlyCollection<long>)seqs, () =>
                {
                    foreach (var (h, g) in hosts) _hostGenerations[h] = g;
                    foreach (var w in updated) _workloads.Set(w);
                });
            }
            catch
            {
                _reload = true; // the plan changed the fleet: reload it from the database next time
                throw;
            }
        });
    }

    private sealed class ConflictException() : Exception("a host was claimed by another writer");

    /// <summary>Runs a write alone, on the latest ledger, in one transaction; <c>write</c> returns its result, the
    /// change-log entries it wrote and what to change in memory once the transaction has committed. A compare-and-swap
    /// conflict (<see cref="ConflictException"/>) catches up and tries again.</summary>
    private async Task<T> ExclusiveAsync<T>(CancellationToken ct, Func<DbConnection, DbTransaction, (T Result, IReadOnlyCollection<long> Seqs, Action Commit)> write)
    {
        await _gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                EnsureCurrent();
                await using var c = await _db.OpenAsync(ct);
                await using var tx = _db.BeginWrite(c);
                try
                {
                    var (result, seqs, commit) = write(c, tx);
                    _db.Notify(c, tx);
                    await tx.CommitAsync(ct);
                    commit();
                    _store.Feed.Own(seqs);
                    return result;
                }
                catch (Exception e) when ((e is ConflictException || _db.IsRetryable(e)) && attempt < MaxAttempts)
                {
                    await tx.RollbackAsync(CancellationToken.None);
                    await _store.Feed.CatchUpAsync(ct);
                    if (attempt == 3) _reload = true;
                }
                catch (ConflictException)
                {
                    throw new RegistryException(ProblemKind.Conflict, $"other writers kept claiming the same hosts; gave up after {MaxAttempts} attempts, retry");
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
