using Meridian.Planning.Instances;

namespace Meridian.Planning.Solvers;

/// <summary>Chooses the solver for an instance, by measurement (docs/benchmarks.md): the Lagrangian branch and bound
/// proves the uncapacitated OR-Library instances many times faster than the strong MIP on SCIP; capacities and a fixed
/// count of new facilities go to the MIP.</summary>
public static class FacilitySolver
{
    public static readonly string[] Names = ["auto", "lagrangian", "mip"];

    /// <summary>True when some capacity is below the total demand, so capacities can bind.</summary>
    public static bool CapacitiesBind(FacilityInstance p)
    {
        var total = p.Demand.Sum();
        return p.Capacity.Any(c => c < total);
    }

    public static SolveResult Solve(FacilityInstance p, string solver = "auto", SolveOptions? options = null, int? newFacilities = null)
    {
        var binding = CapacitiesBind(p);
        return solver switch
        {
            "mip" => MipSolver.Solve(binding ? p : p.Uncapacitated(), options, newFacilities),
            "lagrangian" when binding => throw new PlanningInputException("solver", "the Lagrangian solver is uncapacitated; this instance's capacities bind (use mip, or --uncapacitated)"),
            "lagrangian" when newFacilities is not null => throw new PlanningInputException("solver", "the Lagrangian solver does not fix the number of facilities (use mip)"),
            "lagrangian" or "auto" when !binding && newFacilities is null => LagrangianSolver.Solve(p.IsCapacitated ? p.Uncapacitated() : p, options),
            "auto" => MipSolver.Solve(p, options, newFacilities),
            _ => throw new PlanningInputException("solver", $"unknown solver '{solver}'; use one of {string.Join(", ", Names)}"),
        };
    }
}
