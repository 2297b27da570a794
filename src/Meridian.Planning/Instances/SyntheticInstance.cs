namespace Meridian.Planning.Instances;

/// <summary>Random Euclidean facility-location instances for benchmarks: customers and candidate sites uniform in a
/// 1000 x 1000 square, demand 1-10, serving cost = demand x distance, fixed costs uniform in [0.5, 1.5] x
/// <c>fixedCost</c>. The same seed gives the same instance.</summary>
public static class SyntheticInstance
{
    public static FacilityInstance Generate(int customers, int facilities, int seed, double fixedCost = 20_000)
    {
        if (customers < 1) throw new PlanningInputException("customers", "must be at least 1");
        if (facilities < 1) throw new PlanningInputException("facilities", "must be at least 1");
        if ((long)customers * facilities > 100_000_000) throw new PlanningInputException("customers", "customers x facilities must stay under 100 million");
        var rng = new Random(seed);
        var fx = new double[facilities];
        var fy = new double[facilities];
        var fixedCosts = new double[facilities];
        for (var i = 0; i < facilities; i++)
        {
            fx[i] = rng.NextDouble() * 1000;
            fy[i] = rng.NextDouble() * 1000;
            fixedCosts[i] = Math.Round(fixedCost * (0.5 + rng.NextDouble()), 2);
        }
        var demand = new double[customers];
        var cost = new double[(long)customers * facilities];
        for (var j = 0; j < customers; j++)
        {
            var x = rng.NextDouble() * 1000;
            var y = rng.NextDouble() * 1000;
            demand[j] = rng.Next(1, 11);
            for (var i = 0; i < facilities; i++)
                cost[(long)j * facilities + i] = Math.Round(demand[j] * Math.Sqrt((x - fx[i]) * (x - fx[i]) + (y - fy[i]) * (y - fy[i])), 3);
        }
        return new FacilityInstance($"synthetic-{customers}x{facilities}-seed{seed}", fixedCosts,
            Enumerable.Repeat(double.PositiveInfinity, facilities).ToArray(), demand, cost);
    }
}
