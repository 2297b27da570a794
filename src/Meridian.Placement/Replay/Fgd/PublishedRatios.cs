namespace Meridian.Placement.Replay.Fgd;

/// <summary>The paper's published means (published_allocation_ratios.csv: workload, policy, seeds,
/// alloc_pct_at_100pct_arrived, alloc_pct_at_130pct_arrived, unallocated_pct_at_100pct_arrived).</summary>
public sealed record PublishedRatio(string Workload, string Policy, double AllocationAt100, double AllocationAt130, double UnallocatedAt100)
{
    public static IReadOnlyList<PublishedRatio> Read(TextReader reader, string source = "published")
    {
        const string w = "workload", p = "policy", a = "alloc_pct_at_100pct_arrived", b = "alloc_pct_at_130pct_arrived", u = "unallocated_pct_at_100pct_arrived";
        return [.. OpenbTrace.Rows(reader, source, [w, p, a, b, u]).Select(row =>
        {
            double Number(string column) => double.TryParse(row.Get(column), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
                ? v : throw new FormatException($"{source}:{row.Line}: column {column}: '{row.Get(column)}' is not a number");
            return new PublishedRatio(row.Get(w), row.Get(p), Number(a), Number(b), Number(u));
        })];
    }
}
