using Meridian.Core.Model;

namespace Meridian.Core.Lifecycle;

/// <summary>The lifecycle rules shared by regions, zones and facilities.</summary>
public static class LifecycleRules
{
    /// <summary>Statuses in which a resource is part of the running footprint.</summary>
    public static readonly IReadOnlySet<LifecycleStatus> InService =
        new HashSet<LifecycleStatus> { LifecycleStatus.Live, LifecycleStatus.Draining };

    /// <summary>Whether a resource may move from one status to the next.</summary>
    /// <remarks>Live must drain before it closes, so that placement can move its work first;
    /// nothing comes back from Closed: a reopened site is a new resource with a new history.</remarks>
    public static bool CanMove(LifecycleStatus from, LifecycleStatus to) => (from, to) switch
    {
        (LifecycleStatus.Planned, LifecycleStatus.UnderConstruction) => true,
        (LifecycleStatus.Planned, LifecycleStatus.Live) => true,
        (LifecycleStatus.Planned, LifecycleStatus.Closed) => true,
        (LifecycleStatus.UnderConstruction, LifecycleStatus.Live) => true,
        (LifecycleStatus.UnderConstruction, LifecycleStatus.Closed) => true,
        (LifecycleStatus.Live, LifecycleStatus.Draining) => true,
        (LifecycleStatus.Draining, LifecycleStatus.Live) => true,
        (LifecycleStatus.Draining, LifecycleStatus.Closed) => true,
        _ => false,
    };

    /// <summary>The status on a date, or null when the resource did not exist yet.</summary>
    public static LifecycleStatus? StatusOn(IReadOnlyList<LifecycleEvent> history, DateOnly date)
    {
        LifecycleStatus? status = null;
        foreach (var e in history)
        {
            if (e.On > date) break;
            status = e.Status;
        }
        return status;
    }

    /// <summary>The latest status in the history.</summary>
    public static LifecycleStatus? Current(IReadOnlyList<LifecycleEvent> history) =>
        history.Count == 0 ? null : history[^1].Status;

    /// <summary>The date the resource first went Live, if it has.</summary>
    public static DateOnly? OpenedOn(IReadOnlyList<LifecycleEvent> history) =>
        history.FirstOrDefault(e => e.Status == LifecycleStatus.Live)?.On;

    /// <summary>Problems with a history: empty, out of date order, or an impossible move.</summary>
    public static IEnumerable<(string Field, string Message)> Check(IReadOnlyList<LifecycleEvent> history)
    {
        if (history.Count == 0)
        {
            yield return ("history", "needs at least one event");
            yield break;
        }
        for (var i = 1; i < history.Count; i++)
        {
            var (prev, next) = (history[i - 1], history[i]);
            if (next.On < prev.On)
                yield return ($"history[{i}].on", $"{next.On:yyyy-MM-dd} is before the previous event ({prev.On:yyyy-MM-dd})");
            if (!CanMove(prev.Status, next.Status))
                yield return ($"history[{i}].status", $"cannot move from {prev.Status} to {next.Status}");
        }
    }
}
