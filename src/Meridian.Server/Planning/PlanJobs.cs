using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Meridian.Core.Validation;
using Meridian.Planning.Expansion;
using Meridian.Planning.Instances;

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
}

/// <summary>Plans run in the background one at a time (a solve uses the machine's cores; queueing keeps each one's
/// figures honest). Plans live in the server's memory: the last <see cref="Kept"/> finished ones are kept.</summary>
public sealed partial class PlanJobs(TimeProvider time, ILogger<PlanJobs> logger) : IDisposable
{
    public const int Kept = 200;

    private readonly ConcurrentDictionary<string, PlanJob> _jobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slot = new(1, 1);
    private long _sequence;

    public IEnumerable<PlanJob> All => _jobs.Values.OrderBy(j => j.Id, StringComparer.Ordinal);

    public PlanJob? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>Queues work that has already been checked; it reports progress and returns the result as JSON.</summary>
    public PlanJob Start(string kind, JsonObject request, Func<IProgress<PlanProgress>, CancellationToken, JsonNode> work)
    {
        var job = new PlanJob($"plan-{Interlocked.Increment(ref _sequence):D6}", kind, request, time.GetUtcNow());
        _jobs[job.Id] = job;
        Trim();
        _ = Task.Run(() => RunAsync(job, work));
        return job;
    }

    public bool Cancel(string id)
    {
        if (!_jobs.TryGetValue(id, out var job)) return false;
        job.Cancel();
        if (job.State == PlanState.Queued) Finish(job, PlanState.Cancelled);
        return true;
    }

    public bool Remove(string id)
    {
        if (!_jobs.TryRemove(id, out var job)) return false;
        job.Cancel();
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
            job.StartedAt = time.GetUtcNow();
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
            LogFailed(logger, e, job.Id);
            job.Error = new FieldError("plan", "the plan failed unexpectedly; it has been logged");
            Finish(job, PlanState.Failed);
        }
        finally
        {
            _slot.Release();
        }
    }

    private void Finish(PlanJob job, PlanState state)
    {
        if (job.Finished) return;
        job.State = state;
        job.FinishedAt = time.GetUtcNow();
    }

    private void Trim()
    {
        var finished = _jobs.Values.Where(j => j.Finished).OrderBy(j => j.Id, StringComparer.Ordinal).ToList();
        foreach (var old in finished.Take(Math.Max(0, finished.Count - Kept))) _jobs.TryRemove(old.Id, out _);
    }

    /// <summary>Synchronous: the job's fields are read by the API while the solve runs on its own thread.</summary>
    private sealed class Reporter(PlanJob job) : IProgress<PlanProgress>
    {
        public void Report(PlanProgress value)
        {
            if (value.Fraction >= job.Progress.Fraction || value.Stage != job.Progress.Stage) job.Progress = value with { Fraction = Math.Max(value.Fraction, job.Progress.Fraction) };
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Plan {Id} failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string id);

    public void Dispose()
    {
        foreach (var job in _jobs.Values) job.Cancel();
        _slot.Dispose();
    }
}
