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

    internal PlanRecord ToRecord() => new(Id, Kind, State.ToString().ToLowerInvariant(), Request.ToJsonString(), Result?.ToJsonString(),
        Error?.Field, Error?.Message, CreatedAt, StartedAt, FinishedAt);
}

/// <summary>Plans run in the background one at a time (a solve uses the machine's cores; queueing keeps each one's
/// figures honest). Each state change is written to the database, so results outlive the server; a plan that was
/// queued or running when a server stopped is marked failed when the next one starts. The last <see cref="Kept"/>
/// finished plans are kept.</summary>
public sealed partial class PlanJobs : IDisposable
{
    public const int Kept = 1000;

    private readonly ConcurrentDictionary<string, PlanJob> _jobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slot = new(1, 1);
    private readonly TimeProvider _time;
    private readonly ILogger<PlanJobs> _logger;
    private readonly SqlitePlanStore _store;
    private readonly int _maxQueued;
    private readonly Lock _starting = new();
    private long _sequence;
    private volatile bool _disposed;

    public PlanJobs(TimeProvider time, ILogger<PlanJobs> logger, SqlitePlanStore store, ServerOptions options)
    {
        (_time, _logger, _store, _maxQueued) = (time, logger, store, options.MaxQueuedPlans);
        foreach (var r in store.All())
        {
            var job = PlanJob.From(r);
            _jobs[job.Id] = job;
            if (!job.Finished)
            {
                job.Error = new FieldError("plan", "the server stopped before the plan finished; start it again");
                Finish(job, PlanState.Failed);
            }
            if (long.TryParse(job.Id.AsSpan(job.Id.LastIndexOf('-') + 1), out var n)) _sequence = Math.Max(_sequence, n);
        }
    }

    public IEnumerable<PlanJob> All => _jobs.Values.OrderBy(j => j.Id, StringComparer.Ordinal);

    public PlanJob? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>Queues work that has already been checked; it reports progress and returns the result as JSON. The
    /// queue is bounded: with <see cref="ServerOptions.MaxQueuedPlans"/> plans waiting or running, it refuses (503).</summary>
    public PlanJob Start(string kind, JsonObject request, Func<IProgress<PlanProgress>, CancellationToken, JsonNode> work)
    {
        PlanJob job;
        lock (_starting)
        {
            var unfinished = _jobs.Values.Count(j => !j.Finished);
            if (unfinished >= _maxQueued)
                throw new RegistryException(ProblemKind.Busy, $"{unfinished} plans are queued or running, the most this server takes; retry when one has finished",
                    [new FieldError("plan", $"at most {_maxQueued} plans wait or run at once")]);
            job = new PlanJob($"plan-{Interlocked.Increment(ref _sequence):D6}", kind, request, _time.GetUtcNow());
            _jobs[job.Id] = job;
        }
        Persist(job);
        Trim();
        _ = Task.Run(() => RunAsync(job, work));
        return job;
    }

    public bool Remove(string id)
    {
        if (!_jobs.TryRemove(id, out var job)) return false;
        job.Cancel();
        _store.Delete(id);
        return true;
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
        Persist(job);
    }

    /// <summary>Writes the job's state; a failed write is logged, and the job goes on in memory.</summary>
    private void Persist(PlanJob job)
    {
        // A server that has stopped leaves its unfinished plans as they are; the next one marks them failed.
        if (_disposed || !_jobs.ContainsKey(job.Id)) return;
        try
        {
            _store.Save(job.ToRecord());
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            LogNotSaved(_logger, e, job.Id);
        }
    }

    private void Trim()
    {
        var finished = _jobs.Values.Where(j => j.Finished).OrderBy(j => j.Id, StringComparer.Ordinal).ToList();
        foreach (var old in finished.Take(Math.Max(0, finished.Count - Kept))) Remove(old.Id);
    }

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
        foreach (var job in _jobs.Values) job.Cancel();
        _slot.Dispose();
    }
}
