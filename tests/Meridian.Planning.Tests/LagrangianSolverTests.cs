using Meridian.Planning.Instances;
using Meridian.Planning.Solvers;

namespace Meridian.Planning.Tests;

public class LagrangianSolverTests
{
    [Theory]
    [InlineData(1, 10.0, 0.0)]
    [InlineData(2, 50.0, 0.0)]
    [InlineData(3, 400.0, 0.0)]
    [InlineData(4, 50.0, 0.4)]
    [InlineData(5, 2000.0, 0.6)]
    [InlineData(6, 5.0, 0.2)]
    public void Matches_every_subset_tried_on_small_random_instances(int seed, double fixedScale, double forbidden)
    {
        var instance = Data.Random(10, 40, seed, fixedScale, forbidden);

        var result = LagrangianSolver.Solve(instance);

        Assert.True(result.Optimal);
        Assert.Equal(Data.BruteForce(instance), result.Objective, 1e-6);
    }

    [Fact]
    public void Facilities_forced_open_stay_open_and_count_in_the_cost()
    {
        var random = Data.Random(9, 30, 11, fixedScale: 3000);
        var forced = new bool[9];
        forced[4] = forced[7] = true;
        var instance = new FacilityInstance("forced", random.FixedCost, random.Capacity, random.Demand, random.Cost, forced);

        var result = LagrangianSolver.Solve(instance);

        Assert.Contains(4, result.Open);
        Assert.Contains(7, result.Open);
        Assert.Equal(Data.BruteForce(instance), result.Objective, 1e-6);
        Assert.True(result.Objective > Data.BruteForce(random));
    }

    [Fact]
    public void Customers_are_only_served_by_allowed_facilities()
    {
        var instance = Data.Random(10, 60, 21, fixedScale: 20, forbiddenShare: 0.7);

        var result = LagrangianSolver.Solve(instance);

        for (var j = 0; j < instance.Customers; j++) Assert.True(double.IsFinite(instance.CostOf(j, result.Assignment[j])));
    }

    [Fact]
    public void A_time_limit_returns_the_best_solution_and_a_valid_bound()
    {
        var instance = Data.Random(100, 800, 5, fixedScale: 400);
        var reports = new List<SolveProgress>();

        // The limit is read on a clock that moves 1 ms per reading: a budget of readings, the same on any machine.
        var limit = TimeSpan.FromSeconds(TickLimitSeconds);
        var result = LagrangianSolver.Solve(instance, new SolveOptions { TimeLimit = limit, Progress = new SyncProgress(reports.Add), Time = new TickingTime() });
        var mip = MipSolver.Solve(instance, new SolveOptions { TimeLimit = TimeSpan.FromSeconds(60) }, backend: "GLOP");

        // GLOP solves the LP relaxation: a Lagrangian bound can never exceed the LP optimum.
        Assert.True(result.Bound <= mip.Objective + 1e-6 * mip.Objective);
        Assert.True(result.Bound <= result.Objective);
        Assert.True(result.Gap < 0.01, $"gap {result.Gap}");
        Assert.False(result.Optimal, "the budget is too small to prove optimality; the test would not exercise the limit");
        Assert.True(result.Seconds <= limit.TotalSeconds + 0.01, $"{result.Seconds} s on the solve's clock for a limit of {limit.TotalSeconds} s");
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.True(r.Bound <= r.Objective + 1e-6));
    }

    private const double TickLimitSeconds = 0.006;

    /// <summary>A clock that advances one millisecond each time it is read.</summary>
    private sealed class TickingTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => Interlocked.Increment(ref _ticks);
    }

    private sealed class SyncProgress(Action<SolveProgress> report) : IProgress<SolveProgress>
    {
        public void Report(SolveProgress value) => report(value);
    }
}
