namespace Meridian.Planning.Solvers;

/// <summary>The outcome of a solve: the best solution found, the best proven lower bound, and whether the two meet.</summary>
/// <param name="Open">Facilities open in the best solution.</param>
/// <param name="Assignment">For each customer, the facility serving it (the largest share when a capacitated solution
/// splits it).</param>
/// <param name="Nodes">Branch-and-bound nodes explored (0 when the solver does not say).</param>
public sealed record SolveResult(
    string Solver,
    SolveStatus Status,
    double Objective,
    double Bound,
    double Seconds,
    IReadOnlyList<int> Open,
    IReadOnlyList<int> Assignment,
    long Nodes = 0)
{
    public bool Optimal => Status == SolveStatus.Optimal;

    /// <summary>Relative gap between the solution and the bound.</summary>
    public double Gap => Status == SolveStatus.Infeasible ? double.NaN :
        Math.Abs(Objective) < 1e-12 ? Math.Abs(Objective - Bound) : Math.Max(0, Objective - Bound) / Math.Abs(Objective);
}

public enum SolveStatus
{
    /// <summary>The solution is proven optimal (to a relative tolerance of 1e-9).</summary>
    Optimal,
    /// <summary>A solution was found, but the time limit ended the proof.</summary>
    Feasible,
    /// <summary>No solution exists (capacities too small, or a customer nothing may serve).</summary>
    Infeasible,
    /// <summary>The time limit ended the solve before any solution was found.</summary>
    NoSolution,
}

/// <summary>Limits and reporting for a solve.</summary>
public sealed record SolveOptions
{
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stop once the solution is proven within this relative gap of the bound (1e-9: prove optimality).</summary>
    public double TargetGap { get; init; } = 1e-9;

    /// <summary>Receives the best solution and bound as they improve.</summary>
    public IProgress<SolveProgress>? Progress { get; init; }

    public CancellationToken Cancellation { get; init; }

    /// <summary>The clock the time limit is read on; tests give one that ticks per reading, so a limit is a
    /// deterministic budget whatever the machine's speed. Default: the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>Time since a solve started, on the solve's clock.</summary>
internal sealed class SolveClock(TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();

    public TimeSpan Elapsed => time.GetElapsedTime(_start);
}

/// <param name="Objective">The best solution so far (infinity before the first).</param>
public readonly record struct SolveProgress(double Objective, double Bound, double Seconds, long Nodes)
{
    public double Gap => double.IsFinite(Objective) && Objective > 0 ? Math.Max(0, Objective - Bound) / Objective : 1;
}
