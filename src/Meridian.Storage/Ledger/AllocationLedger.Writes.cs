using System.Data.Common;
using Meridian.Core.Validation;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;
using Meridian.Placement.Scoring;
using Meridian.Placement.Capacity;
using Meridian.Storage.Data;

namespace Meridian.Storage.Ledger;

/// <summary>Placements and releases: queued, decided in memory in batches, written with compare-and-swap.</summary>
public sealed partial class AllocationLedger
{
    private sealed class Operation(WorkloadSpec? spec, string? releaseId, string actor)
    {
        public readonly WorkloadSpec? Spec = spec;
        public readonly string? ReleaseId = releaseId;
        public readonly string Actor = actor;
        public readonly TaskCompletionSource<object?> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Attempts;
    }

    private sealed record Decision(Operation Op, Workload? Placed, Workload? Released)
    {
        public Workload Workload => Placed ?? Released!;
    }

    /// <summary>Queues the operation and, once this caller holds the gate, writes what is queued (its own operation
    /// among them unless another caller already wrote it): while one transaction commits, the next batch gathers.</summary>
    private async Task<object?> SubmitAsync(Operation op, CancellationToken ct)
    {
        _pending.Enqueue(op);
        try
        {
            await _gate.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            op.Done.TrySetCanceled(ct);
            throw;
        }
        try
        {
            // Not the caller's token: the batch carries other callers' operations.
            while (!op.Done.Task.IsCompleted)
            {
                await ProcessBatchAsync();
                // Holding the gate with an empty queue, an unanswered operation was dropped: say so rather than spin.
                if (!op.Done.Task.IsCompleted && _pending.IsEmpty)
                    op.Done.TrySetException(new InvalidOperationException("the ledger dropped an operation without an answer"));
            }
        }
        finally
        {
            _gate.Release();
        }
        return await op.Done.Task;
    }

    private async Task ProcessBatchAsync()
    {
        var batch = new List<Operation>();
        while (batch.Count < MaxBatch && _pending.TryDequeue(out var next))
        {
            if (!next.Done.Task.IsCompleted) batch.Add(next);
        }
        try
        {
            while (batch.Count > 0)
            {
                EnsureCurrent();
                var conflicted = await WriteBatchAsync(batch);
                if (conflicted.Count == 0) return;
                await _store.Feed.CatchUpAsync();
                foreach (var op in conflicted)
                {
                    op.Attempts++;
                    Interlocked.Increment(ref _conflicts);
                    // Still behind after catching up twice: an entry was skipped as a gap; reload from the tables.
                    if (op.Attempts == 3) _reload = true;
                    if (op.Attempts < MaxAttempts) continue;
                    Interlocked.Increment(ref _gaveUp);
                    op.Done.TrySetException(new RegistryException(ProblemKind.Conflict,
                        $"other writers kept claiming the same hosts; gave up after {MaxAttempts} attempts, retry"));
                }
                batch = conflicted.Where(o => !o.Done.Task.IsCompleted).ToList();
            }
        }
        catch (Exception e)
        {
            // Catching up or reloading failed (the database went away): every operation taken from the queue gets the
            // answer, or its caller, which waits on it, would wait for ever.
            var failure = _db.IsUnavailable(e) && e is not StoreUnavailableException ? new StoreUnavailableException($"the database ({_db.Description}) is unavailable: {e.Message}", e) : e;
            foreach (var op in batch) op.Done.TrySetException(failure);
        }
    }

    /// <summary>Decides and writes one batch in one transaction; returns the operations that met a newer generation.</summary>
    private async Task<List<Operation>> WriteBatchAsync(List<Operation> batch)
    {
        var conflicted = new List<Operation>();
        var decided = new List<Decision>();
        using var activity = StorageTelemetry.Source.StartActivity("ledger write");
        activity?.SetTag("meridian.batch", batch.Count);
        try
        {
            await using var c = await _db.OpenAsync();
            await using var tx = _db.BeginWrite(c);
            // Tenants first, then hosts, each in id order: every ledger writer locks in this order.
            var tenants = new Dictionary<string, (Tenant Tenant, long Generation)?>(StringComparer.Ordinal);
            foreach (var t in batch.Where(o => o.Spec is not null).Select(o => o.Spec!.Tenant).Distinct().Order(StringComparer.Ordinal))
                tenants[t] = ReadTenant(c, tx, t, lockRow: true) is { } row ? (row.Tenant, row.Generation) : null;

            var now = _time.GetUtcNow();
            var added = new Dictionary<string, TenantUsage>(StringComparer.Ordinal);
            var names = new HashSet<(string, string)>();
            var releasing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var op in batch)
            {
                if (op.Spec is { } spec)
                {
                    if (Decide(op, spec, tenants[spec.Tenant], now, added, names) is { } d) decided.Add(d);
                    else if (!op.Done.Task.IsCompleted) conflicted.Add(op);
                }
                else if (_workloads.TryGetValue(op.ReleaseId!, out var w) && releasing.Add(w.Id))
                {
                    decided.Add(new Decision(op, null, w));
                }
                else
                {
                    op.Done.TrySetResult(false);
                }
            }

            var generations = Claims.LockHosts(c, tx, _db, decided.SelectMany(d => d.Workload.Allocations.Select(a => a.HostId)));
            foreach (var d in decided.ToArray())
            {
                if (d.Workload.Allocations.All(a => generations[a.HostId] == _hostGenerations.GetValueOrDefault(a.HostId))) continue;
                Undo(d);
                decided.Remove(d);
                conflicted.Add(d.Op);
            }
            if (decided.Count == 0) return conflicted;

            var hosts = decided.SelectMany(d => d.Workload.Allocations.Select(a => a.HostId)).Distinct(StringComparer.Ordinal)
                .ToDictionary(h => h, h => generations[h] + 1, StringComparer.Ordinal);
            // Only a tenant with a quota is claimed: its usage must be current. Claiming every tenant would make replicas
            // placing for one tenant conflict on every commit.
            var bumped = decided.Where(d => d.Placed is not null && HasQuota(tenants[d.Placed.Spec.Tenant]!.Value.Tenant)).Select(d => d.Placed!.Spec.Tenant)
                .Distinct(StringComparer.Ordinal).ToDictionary(t => t, t => tenants[t]!.Value.Generation + 1, StringComparer.Ordinal);
            var seqs = new List<long>(decided.Count);
            foreach (var d in decided.ToArray())
            {
                var claims = Claims.Json(
                    d.Workload.Allocations.Select(a => a.HostId).Distinct(StringComparer.Ordinal).ToDictionary(h => h, h => hosts[h], StringComparer.Ordinal),
                    d.Placed is { } p && bumped.TryGetValue(p.Spec.Tenant, out var tg) ? new Dictionary<string, long> { [p.Spec.Tenant] = tg } : null);
                if (d.Placed is { } placed)
                {
                    if (!LedgerRows.InsertWorkload(c, tx, placed))
                    {
                        Undo(d);
                        decided.Remove(d);
                        d.Op.Done.TrySetException(NameTaken(placed.Spec));
                        continue;
                    }
                    seqs.Add(LedgerRows.LogChange(c, tx, placed.CreatedAt, d.Op.Actor, "create", placed.Id, null, placed, claims));
                }
                else
                {
                    LedgerRows.DeleteWorkload(c, tx, d.Released!.Id);
                    seqs.Add(LedgerRows.LogChange(c, tx, now, d.Op.Actor, "delete", d.Released.Id, d.Released, null, claims));
                }
            }
            Claims.SetHosts(c, tx, hosts);
            foreach (var (t, g) in bumped) Claims.SetTenant(c, tx, t, g);
            _db.Notify(c, tx);
            try
            {
                await tx.CommitAsync();
            }
            catch
            {
                _reload = true; // whether it committed is unknown: read the tables again
                throw;
            }

            Interlocked.Increment(ref _transactions);
            activity?.SetTag("meridian.committed", decided.Count);
            activity?.SetTag("meridian.conflicts", conflicted.Count);
            foreach (var (h, g) in hosts) _hostGenerations[h] = g;
            foreach (var (t, g) in bumped) _tenantGenerations[t] = g;
            foreach (var d in decided)
            {
                if (d.Placed is { } placed)
                {
                    _workloads.Set(placed);
                    _unmet.Placed(UnmetKey(placed.Spec));
                }
                else
                {
                    Take(d.Released!);
                    _workloads.Remove(d.Released!.Id);
                }
            }
            _store.Feed.Own(seqs);
            foreach (var d in decided) d.Op.Done.TrySetResult(d.Placed is not null ? d.Placed : true);
            return conflicted;
        }
        catch (Exception e)
        {
            foreach (var d in decided) Undo(d);
            if (_db.IsRetryable(e)) return [.. conflicted, .. decided.Select(d => d.Op)];
            var failure = _db.IsUnavailable(e) && e is not StoreUnavailableException ? new StoreUnavailableException($"the database ({_db.Description}) is unavailable: {e.Message}", e) : e;
            foreach (var op in batch) op.Done.TrySetException(failure);
            return [];
        }
    }

    /// <summary>Decides one placement on the fleet as it is (with the batch's earlier decisions in it); null when it
    /// failed (its task then holds why) or when its tenant changed since this process last saw it (a conflict).</summary>
    private Decision? Decide(Operation op, WorkloadSpec spec, (Tenant Tenant, long Generation)? tenant, DateTimeOffset now,
        Dictionary<string, TenantUsage> added, HashSet<(string, string)> names)
    {
        if (tenant is not { } t)
        {
            op.Done.TrySetException(RegistryException.Invalid([new("tenant", $"no tenant '{spec.Tenant}'; an admin creates it with POST /api/v1/tenants")]));
            return null;
        }
        if (HasQuota(t.Tenant) && t.Generation != _tenantGenerations.GetValueOrDefault(spec.Tenant)) return null;
        if (!names.Add((spec.Tenant, spec.Name)) || _workloads.HasName(spec.Tenant, spec.Name))
        {
            op.Done.TrySetException(NameTaken(spec));
            return null;
        }
        spec = spec.Resolved();
        var request = spec.ToRequest();
        FragmentationScorer? scorer = null;
        GpuReserve? reserve = null;
        if (request.Strategy == PlacementStrategy.Fragmentation)
        {
            var rules = _workloads.Mix.Rules(request.PerReplica, request.Constraints.GpuModels, request.Replicas, _fleet.GpusByModel);
            scorer = rules.Scorer;
            if (_options.KeepWholeGpus && rules.Reserve is { } rr) reserve = new GpuReserve(rr, _unmet.Total(now, except: UnmetKey(spec)));
        }
        var result = PlacementEngine.Place(_fleet, request, scorer, reserve);
        if (!result.Placed)
        {
            // Demand that found no room waits for free capacity: the reserve expects it to take some.
            _unmet.Refused(UnmetKey(spec), request, result.Problem!, now);
            op.Done.TrySetException(new PlacementRefusedException(result.Problem!));
            return null;
        }
        var workload = new Workload($"wl-{Guid.NewGuid():N}"[..15], spec, now, result.Allocations);
        // The quota is checked on the usage this process knows, which the tenant's generation proves current.
        var before = UsageOf(spec.Tenant).Plus(added.GetValueOrDefault(spec.Tenant) ?? TenantUsage.None);
        var mine = TenantUsage.Of(workload.Allocations, _store.Current.World, 1);
        if (Quotas.Exceeded(t.Tenant, before, before.Plus(mine)) is { } over)
        {
            foreach (var a in workload.Allocations) _fleet.Release(a);
            op.Done.TrySetException(new RegistryException(ProblemKind.Invalid, over.Message, [over]));
            return null;
        }
        added[spec.Tenant] = (added.GetValueOrDefault(spec.Tenant) ?? TenantUsage.None).Plus(mine);
        return new Decision(op, workload, null);
    }

    private static string UnmetKey(WorkloadSpec spec) => $"{spec.Tenant}/{spec.Name}";

    private static RegistryException NameTaken(WorkloadSpec spec) =>
        new(ProblemKind.Conflict, $"tenant '{spec.Tenant}' already has a workload '{spec.Name}'", [new("name", "is taken for this tenant")]);

    /// <summary>A tenant whose placements are checked against a limit, so they need its usage as it is now.</summary>
    private static bool HasQuota(Tenant t) =>
        t.Quota is { } q && (q.Vcpu is not null || q.MemoryGiB is not null || q.Gpus is not null || q.GpusByModel is { Count: > 0 });

    private void Undo(Decision d)
    {
        if (d.Placed is { } placed)
        {
            foreach (var a in placed.Allocations) _fleet.Release(a);
        }
    }
}
