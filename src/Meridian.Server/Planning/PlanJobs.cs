using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Meridian.Core.Validation;
using Meridian.Planning.Expansion;
using Meridian.Planning.Instances;
using Meridian.Storage.Plans;

namespace Meridian.Server.Planning;

public enum PlanState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>One plan: its request, where it has got to, and its result or error.</summary>
public sealed class PlanJob(string id, string kind, JsonObject request, DateTimeOffset created)
{
    private readonly CancellationTokenSource _cancel = new();

    public string Id { get; } = id;
    public string Kind { get; } = kind;
    public JsonObject Request { get; } = request;
    public DateTimeOffset CreatedAt { get; } = created;
    public DateTimeOffset? StartedAt { get; internal set; }
    public DateTimeOffset? FinishedAt { get; internal set; }
    public PlanState State { get; internal set; } = PlanState.Queued;
    public PlanProgress Progress { get; internal set; } = new("queued", 0);
    public JsonNode? Result { get; internal set; }
    public FieldError? Error { get; internal set; }
    internal CancellationToken Cancellation => _cancel.Token;
    public bool Finished => State is PlanState.Succeeded or PlanState.Failed or PlanState.Cancelled;

    internal void Cancel() => _cancel.Cancel();

    internal static PlanJob From(PlanRecord r)
    {
        var state = Enum.Parse<PlanState>(r.Status, ignoreCase: true);
        return new PlanJob(r.Id, r.Kind, JsonNode.Parse(r.Request)!.AsObject(), r.CreatedAt)
        {
            State = state,
            StartedAt = r.StartedAt,
            FinishedAt = r.FinishedAt,
            Result = r.Result is null ? null : JsonNode.Parse(r.Result),
            Error = r.ErrorField is null ? null : new FieldError(r.ErrorField, r.ErrorMessage ?? ""),
            Progress = state == PlanState.Succeeded ? new PlanProgress("done", 1) : new PlanProgress(state.ToString().ToLowerInvariant(), 0),
        };
    }

    internal PlanRecord ToRecord(string owner, DateTimeOffset? leaseUntil) => new(Id, Kind, State.ToString().ToLowerInvariant(), Request.ToJsonString(),
        Result?.ToJsonString(), Error?.Field, Error?.Message, CreatedAt, StartedAt, FinishedAt, owner, Finished ? null : leaseUntil);
}

/// <summary>Plans run in the background one at a time per replica (a solve uses the machine's cores; queueing keeps each
/// one's figures honest). Each state change is written to the database, so results outlive the replica and every replica
/// answers for every plan. The replica running a plan holds a lease on it (<see cref="ServerOptions.PlanLease"/>) and
/// renews it; when a replica dies, another takes the plan over once the lease has run out and marks it failed (the work
/// is in the dead process; the caller starts it again). The last <see cref="Kept"/> finished plans are kept.</summary>
public sealed partial class PlanJobs : IDisposable
{
    public const int Kept = 1000;

    private readonly ConcurrentDictionary<string, PlanJob> _jobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slot = new(1, 1);
    private readonly TimeProvider _time;
    private readonly ILogger<PlanJobs> _logger;
    private readonly PlanStore _store;
    private readonly int _maxQueued;
    private readonly TimeSpan _lease;
    private readonly string _owner = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
    private readonly Lock _starting = new();
    private readonly ITimer _leases;
    private volatile bool _disposed;

    public PlanJobs(TimeProvider time, ILogger<PlanJobs> logger, PlanStore store, ServerOptions options)
    {
        (_time, _logger, _store, _maxQueued, _lease) = (time, logger, store, options.MaxQueuedPlans, options.PlanLease);
        TakeOverExpired();
        _leases = time.CreateTimer(_ => TendLeases(), null, _lease / 3, _lease / 3);
    }

    /// <summary>Plans waiting or running on this replica (memory only: the queue's bound and a metric read it).</summary>
    public int Active => _jobs.Values.Count(j => !j.Finished);

    public IEnumerable<PlanJob> All
    {
        get
        {
            var stored = _store.All().Select(r => _jobs.GetValueOrDefault(r.Id) ?? PlanJob.From(r)).ToDictionary(j => j.Id, StringComparer.Ordinal);
            foreach (var job in _jobs.Values) stored.TryAdd(job.Id, job);
            return stored.Values.OrderBy(j => j.Id, StringComparer.Ordinal);
        }
    }

    /// <summary>A plan this replica runs (with its live progress), or else as the database has it.</summary>
    public PlanJob? Find(string id) => _jobs.GetValueOrDefault(id) ?? (_store.Get(id) is { } r ? PlanJob.From(r) : null);

    /// <summary>Queues work that has already been checked; it reports progress and returns the result as JSON. The
    /// queue is bounded: with <see cref="ServerOptions.MaxQueuedPlans"/> plans waiting or running, it refuses (503).</summary>
    public PlanJob Start(string kind, JsonObject request, Func<IProgress<PlanProgress>, CancellationToken, JsonNode> work)
    {
        PlanJob job;
        lock (_starting)
        {
            var unfinished = Active;
            if (unfinished >= _maxQueued)
                throw new RegistryException(ProblemKind.Busy, $"{unfinished} plans are queued or running, the most this server takes; retry when one has finished",
                    [new FieldError("plan", $"at most {_maxQueued} plans wait or run at once")]);
            // Unique across replicas, and in order of creation.
            var now = _time.GetUtcNow();
            job = new PlanJob($"plan-{now.UtcDateTime:yyyyMMdd-HHmmssfff}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}", kind, request, now);
            _jobs[job.Id] = job;
        }
        _store.Insert(job.ToRecord(_owner, _time.GetUtcNow() + _lease));
        Trim();
        _ = Task.Run(() => RunAsync(job, work));
        return job;
    }

    /// <summary>Deletes a plan (cancelling it if this replica runs it; a replica running it elsewhere stops at its next
    /// write or lease renewal).</summary>
    public bool Remove(string id)
    {
        if (_jobs.TryRemove(id, out var job)) job.Cancel();
        return _store.Delete(id) || job is not null;
    }

    private async Task RunAsync(PlanJob job, Func<IProgress<PlanProgress>, CancellationToken, JsonNode> work)
    {
        try
        {
            await _slot.WaitAsync(job.Cancellation);
        }
        catch (OperationCanceledException)
        {
            Finish(job, PlanState.Cancelled);
            return;
        }
        try
        {
            if (job.Finished) return;
            job.State = PlanState.Running;
            job.StartedAt = _time.GetUtcNow();
            Persist(job);
            job.Progress = new PlanProgress("started", 0);
            var progress = new Reporter(job);
            job.Result = work(progress, job.Cancellation);
            job.Progress = new PlanProgress("done", 1);
            Finish(job, PlanState.Succeeded);
        }
        catch (OperationCanceledException)
        {
            Finish(job, PlanState.Cancelled);
        }
        catch (PlanningInputException e)
        {
            job.Error = new FieldError(e.Field, e.Message);
            Finish(job, PlanState.Failed);
        }
        catch (Exception e)
        {
            LogFailed(_logger, e, job.Id);
            job.Error = new FieldError("plan", "the plan failed unexpectedly; it has been logged");
            Finish(job, PlanState.Failed);
        }
        finally
        {
            if (!_disposed) _slot.Release();
        }
    }

    private void Finish(PlanJob job, PlanState state)
    {
        if (job.Finished) return;
        job.State = state;
        job.FinishedAt = _time.GetUtcNow();
        var ran = job.FinishedAt.Value - (job.StartedAt ?? job.FinishedAt.Value);
        var result = state.ToString().ToLowerInvariant();
        Telemetry.MeridianMetrics.PlanDuration.Record(ran.TotalSeconds, new("kind", job.Kind), new("result", result));
        LogFinished(_logger, job.Id, job.Kind, result, ran.TotalSeconds, job.Error?.Message);
        Persist(job);
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Plan {Id} ({Kind}) {Result} after {Seconds:0.###} s {Error}")]
    private static partial void LogFinished(ILogger logger, string id, string kind, string result, double seconds, string? error);

    /// <summary>Writes the job's state; a failed write is logged, and the job goes on in memory. A plan deleted (or
    /// taken over) elsewhere is cancelled here.</summary>
    private void Persist(PlanJob job)
    {
        // A replica that has stopped leaves its unfinished plans as they are; another takes them over when the lease ends.
        if (_disposed || !_jobs.ContainsKey(job.Id)) return;
        try
        {
            if (_store.Update(job.ToRecord(_owner, _time.GetUtcNow() + _lease))) return;
            job.Cancel();
            _jobs.TryRemove(job.Id, out _);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or Meridian.Storage.Data.StoreUnavailableException)
        {
            LogNotSaved(_logger, e, job.Id);
        }
        finally
        {
            // Finished plans are in the database; memory keeps only the ones this replica is running.
            if (job.Finished) _jobs.TryRemove(job.Id, out _);
        }
    }

    private void Trim()
    {
        var finished = _store.All().Where(r => r.Status is "succeeded" or "failed" or "cancelled").ToList();
        foreach (var old in finished.Take(Math.Max(0, finished.Count - Kept))) Remove(old.Id);
    }

    /// <summary>A graceful stop: this replica's unfinished plans are given up so another replica (or the next start)
    /// takes them over at once rather than when the lease runs out.</summary>
    public void Release()
    {
        if (_disposed) return;
        _disposed = true;
        _leases.Dispose();
        try
        {
            _store.Release(_owner, _time.GetUtcNow());
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or Meridian.Storage.Data.StoreUnavailableException)
        {
            LogLeases(_logger, e);
        }
    }

    /// <summary>Renews this replica's leases and takes over plans whose replica has stopped renewing.</summary>
    private void TendLeases()
    {
        if (_disposed) return;
        try
        {
            var mine = _jobs.Values.Where(j => !j.Finished).Select(j => j.Id).ToArray();
            foreach (var lost in _store.Renew(_owner, mine, _time.GetUtcNow() + _lease))
            {
                if (_jobs.TryRemove(lost, out var job)) job.Cancel();
            }
            TakeOverExpired();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or Meridian.Storage.Data.StoreUnavailableException)
        {
            LogLeases(_logger, e);
        }
    }

    private void TakeOverExpired()
    {
        var now = _time.GetUtcNow();
        foreach (var r in _store.TakeOver(_owner, now, now + _lease))
        {
            var job = PlanJob.From(r);
            job.Error = new FieldError("plan", "the replica running the plan stopped before it finished; start it again");
            job.State = PlanState.Failed;
            job.FinishedAt = now;
            _store.Update(job.ToRecord(_owner, null));
            LogTakenOver(_logger, r.Id, r.Owner ?? "(none)");
        }
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Plan {Id} was left unfinished by {Owner}; marked failed")]
    private static partial void LogTakenOver(ILogger logger, string id, string owner);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Could not renew plan leases")]
    private static partial void LogLeases(ILogger logger, Exception e);

    /// <summary>Sets the job's progress on the solving thread, at once (Progress&lt;T&gt; would post it to the thread
    /// pool); the bar never moves back.</summary>
    private sealed class Reporter(PlanJob job) : IProgress<PlanProgress>
    {
        public void Report(PlanProgress value) => job.Progress = value with { Fraction = Math.Max(value.Fraction, job.Progress.Fraction) };
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Plan {Id} could not be saved")]
    private static partial void LogNotSaved(ILogger logger, Exception e, string id);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Plan {Id} failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string id);

    public void Dispose()
    {
        _disposed = true;
        _leases.Dispose();
        foreach (var job in _jobs.Values) job.Cancel();
        _jobs.Clear();
        _slot.Dispose();
    }
}
