using System.Diagnostics;
using Google.OrTools.LinearSolver;
using Meridian.Planning.Instances;

namespace Meridian.Planning.Solvers;

/// <summary>The strong ("disaggregated") MIP formulation on OR-Tools' SCIP: open y_i, assign x_ij ≤ y_i,
/// Σ_i x_ij = 1, capacities Σ_j d_j x_ij ≤ s_i y_i, optionally exactly k new facilities. Handles what the Lagrangian
/// solver does not (capacities, a fixed count) and is the baseline it is measured against.</summary>
public static class MipSolver
{
    /// <param name="newFacilities">When set, exactly this many facilities that are not forced open are opened.</param>
    public static SolveResult Solve(FacilityInstance p, SolveOptions? options = null, int? newFacilities = null, string backend = "SCIP")
    {
        lock (ScipGate.Gate) return SolveAlone(p, options ?? new SolveOptions(), newFacilities, backend);
    }

    private static SolveResult SolveAlone(FacilityInstance p, SolveOptions options, int? newFacilities, string backend)
    {
        var clock = Stopwatch.StartNew();
        using var solver = Solver.CreateSolver(backend) ?? throw new InvalidOperationException($"OR-Tools has no {backend} solver here");
        int m = p.Facilities, n = p.Customers;
        var y = new Variable[m];
        var objective = solver.Objective();
        for (var i = 0; i < m; i++)
        {
            y[i] = solver.MakeIntVar(p.ForcedOpen[i] ? 1 : 0, 1, $"y{i}");
            objective.SetCoefficient(y[i], p.FixedCost[i]);
        }
        var x = new Variable?[(long)m * n];
        var capacity = new Constraint?[m];
        for (var i = 0; i < m; i++)
        {
            if (!double.IsFinite(p.Capacity[i])) continue;
            capacity[i] = solver.MakeConstraint(double.NegativeInfinity, 0, $"cap{i}");
            capacity[i]!.SetCoefficient(y[i], -p.Capacity[i]);
        }
        for (var j = 0; j < n; j++)
        {
            var assign = solver.MakeConstraint(1, 1, $"assign{j}");
            for (var i = 0; i < m; i++)
            {
                var c = p.CostOf(j, i);
                if (!double.IsFinite(c)) continue;
                var v = solver.MakeNumVar(0, 1, "");
                x[(long)j * m + i] = v;
                objective.SetCoefficient(v, c);
                assign.SetCoefficient(v, 1);
                var link = solver.MakeConstraint(double.NegativeInfinity, 0, "");
                link.SetCoefficient(v, 1);
                link.SetCoefficient(y[i], -1);
                capacity[i]?.SetCoefficient(v, p.Demand[j]);
            }
        }
        if (newFacilities is { } k)
        {
            var count = solver.MakeConstraint(k, k, "k");
            for (var i = 0; i < m; i++) if (!p.ForcedOpen[i]) count.SetCoefficient(y[i], 1);
        }
        objective.SetMinimization();
        solver.SetTimeLimit((long)Math.Max(1, (options.TimeLimit - clock.Elapsed).TotalMilliseconds));
        // OR-Tools stops SCIP at a relative gap of 1e-4 by default; "optimal" here means what it means for the
        // Lagrangian solver: proven to 1e-9.
        using var parameters = new MPSolverParameters();
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, 1e-9);
        var status = solver.Solve(parameters);
        var seconds = clock.Elapsed.TotalSeconds;
        if (status is Solver.ResultStatus.INFEASIBLE)
            return new SolveResult($"mip-{backend.ToLowerInvariant()}", SolveStatus.Infeasible, double.NaN, double.NaN, seconds, [], []);
        if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
            return new SolveResult($"mip-{backend.ToLowerInvariant()}", SolveStatus.NoSolution, double.NaN, objective.BestBound(), seconds, [], []);
        var open = Enumerable.Range(0, m).Where(i => y[i].SolutionValue() > 0.5).ToArray();
        var assignment = new int[n];
        for (var j = 0; j < n; j++)
        {
            var best = -1;
            double share = -1;
            for (var i = 0; i < m; i++)
            {
                var v = x[(long)j * m + i]?.SolutionValue() ?? 0;
                if (v > share) (best, share) = (i, v);
            }
            assignment[j] = best;
        }
        var value = objective.Value();
        var optimal = status == Solver.ResultStatus.OPTIMAL;
        return new SolveResult($"mip-{backend.ToLowerInvariant()}", optimal ? SolveStatus.Optimal : SolveStatus.Feasible, value,
            optimal ? Math.Min(value, objective.BestBound()) : objective.BestBound(), seconds, open, assignment);
    }
}
