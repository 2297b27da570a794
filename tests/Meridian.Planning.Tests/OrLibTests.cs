using Meridian.Planning.Instances;
using Meridian.Planning.Solvers;

namespace Meridian.Planning.Tests;

public class OrLibTests
{
    public static TheoryData<string, double> Uncapacitated()
    {
        var data = new TheoryData<string, double>();
        foreach (var (name, optimum) in Data.UncapOptima()) data.Add(name, optimum);
        return data;
    }

    [Theory]
    [MemberData(nameof(Uncapacitated))]
    public void Lagrangian_branch_and_bound_proves_the_published_optimum(string name, double optimum)
    {
        var instance = OrLibReader.Read(Path.Combine(Data.OrLib, "uncap", name + ".txt"));
        var result = FacilitySolver.Solve(instance, "auto", new SolveOptions { TimeLimit = TimeSpan.FromSeconds(120) });

        Assert.Equal("lagrangian", result.Solver);
        Assert.True(result.Optimal, $"{name}: not proven optimal, gap {result.Gap}");
        // OR-Library prints optima to three decimals, some cut (cap101's 796648.4375 is printed 796648.437) and some
        // rounded (capb's 12979071.58143 is printed 12979071.582): within one unit of the last place, plus the relative
        // tolerance of 1e-9 that "optimal" allows.
        Assert.InRange(result.Objective, optimum - 0.001 - optimum * 1e-9, optimum + 0.001 + optimum * 1e-9);
        Assert.True(result.Bound <= result.Objective && result.Bound >= result.Objective * (1 - 1e-9));
        // The reported facilities and assignment are the solution whose cost is reported.
        var recomputed = result.Open.Sum(i => instance.FixedCost[i]) + Enumerable.Range(0, instance.Customers).Sum(j => instance.CostOf(j, result.Assignment[j]));
        Assert.Equal(result.Objective, recomputed, result.Objective * 1e-12);
        Assert.All(result.Assignment, i => Assert.Contains(i, result.Open));
    }

    [Theory]
    [InlineData("cap41")]
    [InlineData("cap61")]
    [InlineData("cap82")]
    [InlineData("cap91")]
    [InlineData("cap124")]
    public void The_mip_proves_the_published_capacitated_optimum(string name)
    {
        var instance = OrLibReader.Read(Path.Combine(Data.OrLib, "cap", name + ".txt"));
        Assert.True(FacilitySolver.CapacitiesBind(instance));

        var result = FacilitySolver.Solve(instance, "auto", new SolveOptions { TimeLimit = TimeSpan.FromSeconds(120) });

        Assert.Equal("mip-scip", result.Solver);
        Assert.True(result.Optimal);
        var optimum = Data.CapOptima()[name];
        Assert.InRange(result.Objective, optimum - 0.001 - optimum * 1e-9, optimum + 0.001 + optimum * 1e-9);
    }

    [Fact]
    public void The_strong_mip_agrees_with_the_lagrangian_solver_on_the_small_uncapacitated_instances()
    {
        foreach (var name in new[] { "cap71", "cap101", "cap131" })
        {
            var instance = OrLibReader.Read(Path.Combine(Data.OrLib, "uncap", name + ".txt"));
            var mip = FacilitySolver.Solve(instance, "mip");
            var lagrangian = FacilitySolver.Solve(instance, "lagrangian");
            Assert.True(mip.Optimal && lagrangian.Optimal);
            Assert.Equal(mip.Objective, lagrangian.Objective, mip.Objective * 1e-9);
        }
    }

    [Theory]
    [InlineData("1 2\n5 10\n3 1 2\n", "ends where the cost of serving customer 2 from facility 1")]
    [InlineData("1 1\n5 ten\n", ":2: token 'ten': expected the fixed cost of facility 1 (a number)")]
    [InlineData("2 1\n5 10\n5 10\n3\n1 -2\n", ":5: token '-2': the cost of serving customer 1 from facility 2 is negative")]
    [InlineData("1 1\n5 10\n-3 1\n", ":3: token '-3': the demand of customer 1 is negative")]
    [InlineData("0 5\n", "the number of facilities must be positive")]
    [InlineData("x 5\n", ":1: token 'x': expected the number of facilities (an integer)")]
    [InlineData("1 1\n5 10\n3 1 7\n", ":3: token '7': unexpected token '7' after the last customer")]
    public void Malformed_files_name_the_line_and_the_token(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => OrLibReader.Read(new StringReader(text), "bad", "bad.txt"));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("bad.txt:", e.Message);
    }

    [Fact]
    public void An_instance_whose_capacities_cannot_hold_the_demand_is_reported_infeasible()
    {
        var text = "2 2\n5 10\n5 10\n8 1 2\n8 2 1\n";
        var instance = OrLibReader.Read(new StringReader(text), "tight");

        var result = FacilitySolver.Solve(instance);

        Assert.Equal(SolveStatus.Infeasible, result.Status);
    }

    [Fact]
    public void The_word_capacity_means_no_capacity()
    {
        var instance = OrLibReader.Read(new StringReader("2 1\n capacity 7.5\n 4 3\n 2\n 1.5 2.5\n"), "words");

        Assert.True(double.IsPositiveInfinity(instance.Capacity[0]));
        Assert.Equal(4, instance.Capacity[1]);
        Assert.Equal([7.5, 3], instance.FixedCost);
        Assert.Equal(2.5, instance.CostOf(0, 1));
    }
}
