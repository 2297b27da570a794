using System.Globalization;
using Meridian.Planning.Instances;

namespace Meridian.Planning.Tests;

/// <summary>The repository's data/orlib folder and small generated instances.</summary>
internal static class Data
{
    public static readonly string OrLib = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "orlib");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("data/orlib not found above " + AppContext.BaseDirectory);
    }

    public static IEnumerable<(string Name, double Optimum)> UncapOptima() =>
        File.ReadLines(Path.Combine(OrLib, "uncap", "optima.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Select(f => (f[0], double.Parse(f[3], CultureInfo.InvariantCulture)));

    /// <summary>Capacitated optima from OR-Library's capopt table (the single-capacity rows).</summary>
    public static Dictionary<string, double> CapOptima() =>
        File.ReadLines(Path.Combine(OrLib, "cap", "capopt.txt"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 2 && f[0].StartsWith("cap", StringComparison.Ordinal))
            .ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));

    /// <summary>A random Euclidean instance: points in a square, cost = demand x distance.</summary>
    public static FacilityInstance Random(int facilities, int customers, int seed, double fixedScale = 50, double forbiddenShare = 0)
    {
        var rng = new Random(seed);
        var fx = Enumerable.Range(0, facilities).Select(_ => (rng.NextDouble() * 100, rng.NextDouble() * 100)).ToArray();
        var fixedCost = Enumerable.Range(0, facilities).Select(_ => Math.Round(fixedScale * (0.5 + rng.NextDouble()), 2)).ToArray();
        var demand = Enumerable.Range(0, customers).Select(_ => (double)rng.Next(1, 10)).ToArray();
        var cost = new double[facilities * customers];
        for (var j = 0; j < customers; j++)
        {
            var (x, y) = (rng.NextDouble() * 100, rng.NextDouble() * 100);
            for (var i = 0; i < facilities; i++)
            {
                var d = Math.Sqrt(Math.Pow(x - fx[i].Item1, 2) + Math.Pow(y - fx[i].Item2, 2));
                cost[j * facilities + i] = i > 0 && rng.NextDouble() < forbiddenShare ? double.PositiveInfinity : Math.Round(demand[j] * d, 3);
            }
        }
        return new FacilityInstance($"random-{seed}", fixedCost, Enumerable.Repeat(double.PositiveInfinity, facilities).ToArray(), demand, cost);
    }

    /// <summary>The optimum by trying every set of open facilities (small instances only).</summary>
    public static double BruteForce(FacilityInstance p)
    {
        var best = double.PositiveInfinity;
        for (var set = 1; set < 1 << p.Facilities; set++)
        {
            var skip = false;
            for (var i = 0; i < p.Facilities; i++) skip |= p.ForcedOpen[i] && (set & (1 << i)) == 0;
            if (skip) continue;
            double total = 0;
            for (var i = 0; i < p.Facilities; i++) if ((set & (1 << i)) != 0) total += p.FixedCost[i];
            for (var j = 0; j < p.Customers; j++)
            {
                var c = double.PositiveInfinity;
                for (var i = 0; i < p.Facilities; i++) if ((set & (1 << i)) != 0) c = Math.Min(c, p.CostOf(j, i));
                total += c;
            }
            best = Math.Min(best, total);
        }
        return best;
    }
}
