namespace Meridian.Placement.Replay.Fgd;

/// <summary>The paper's published means (published_allocation_ratios.csv: workload, policy, seeds,
/// alloc_pct_at_100pct_arrived, alloc_pct_at_130pct_arrived, unallocated_pct_at_100pct_arrived).</summary>
public sealed record PublishedRatio(string Workload, string Policy, double AllocationAt100, double AllocationAt130, double UnallocatedAt100)
{
    public static IReadOnlyList<PublishedRatio> Read(TextReader reader, string source = "published")
    {
        var header = reader.ReadLine()?.Split(',') ?? throw new FormatException($"{source}: empty file");
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new FormatException($"{source}:1: missing column '{name}'");
        int w = Column("workload"), p = Column("policy"), a = Column("alloc_pct_at_100pct_arrived"), b = Column("alloc_pct_at_130pct_arrived"), u = Column("unallocated_pct_at_100pct_arrived");
        var rows = new List<PublishedRatio>();
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            var f = text.Split(',');
            if (f.Length < header.Length) throw new FormatException($"{source}:{line}: {f.Length} fields, expected {header.Length}");
            double Number(int i) => double.TryParse(f[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
                ? v : throw new FormatException($"{source}:{line}: '{f[i]}' is not a number");
            rows.Add(new PublishedRatio(f[w], f[p], Number(a), Number(b), Number(u)));
        }
        return rows;
    }
}
