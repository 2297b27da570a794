using System.Globalization;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Placement.Capacity;
using Meridian.Placement.Replay;
using Meridian.Placement.Replay.Fgd;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary>`meridian replay openb --protocol fgd`: the paper's own protocol, every policy, per seed and the mean.</summary>
internal static class ReplayFgdCommand
{
    /// <summary>Seeds as "42-51", "42,45" or a mix; the paper's ten when empty.</summary>
    public static IReadOnlyList<int>? ParseSeeds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return FgdWorkload.PaperSeeds;
        var seeds = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-', 2);
            if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)) return null;
            var to = from;
            if (range.Length == 2 && !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out to)) return null;
            if (to < from || to - from > 1000) return null;
            for (var s = from; s <= to; s++) if (!seeds.Contains(s)) seeds.Add(s);
        }
        return seeds.Count is > 0 and <= 1000 ? seeds : null;
    }

    public static int Run(IReadOnlyList<HostSpec> nodes, IReadOnlyList<OpenbTask> pods, string podList, IReadOnlyList<int> seeds,
        IReadOnlyList<string> policies, IReadOnlyList<PublishedRatio> published, bool json, FileInfo? chart = null)
    {
        ProtocolReport report;
        if (json || Console.IsOutputRedirected)
        {
            report = FgdSuite.Run(podList, nodes, pods, seeds, policies);
        }
        else
        {
            report = null!;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var bars = policies.ToDictionary(p => p, p => ctx.AddTask(p, maxValue: seeds.Count));
                    var done = new Dictionary<(string, int), double>();
                    var sync = new object();
                    report = FgdSuite.Run(podList, nodes, pods, seeds, policies, new Progress(x =>
                    {
                        lock (sync)
                        {
                            done[(x.Policy, x.Seed)] = (double)x.Done / Math.Max(1, x.Of);
                            bars[x.Policy].Value = seeds.Sum(s => done.GetValueOrDefault((x.Policy, s)));
                        }
                    }));
                });
        }
        if (chart is not null) File.WriteAllText(chart.FullName, AllocationChart.Svg(report));
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(report, MeridianJson.Indented));
            return 0;
        }
        var console = CommonOptions.Console();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Policy");
        foreach (var s in seeds) table.AddColumn(new TableColumn($"{s}").RightAligned());
        table.AddColumn(new TableColumn("Mean").RightAligned()).AddColumn(new TableColumn("Unallocated").RightAligned())
            .AddColumn(new TableColumn("Published").RightAligned()).AddColumn(new TableColumn("At 130%").RightAligned())
            .AddColumn(new TableColumn("p99 µs").RightAligned());
        foreach (var p in report.Policies)
        {
            var paper = published.FirstOrDefault(r => r.Workload == podList && r.Policy == p.Policy);
            table.AddRow([p.Policy, .. p.Seeds.Select(s => Percent(s.AllocationAt100, "")), Percent(p.MeanAllocationAt100, ""), Percent(p.MeanUnallocatedAt100, "%"),
                paper is null ? "" : $"{paper.UnallocatedAt100:0.00}%", Percent(p.MeanAllocationAt130, ""), $"{p.DecisionP99Microseconds:0}"]);
        }
        console.MarkupLineInterpolated($"[bold]{podList}[/]: GPU allocation (% of {report.Gpus:0} GPUs on {report.Nodes} nodes) at 100% of GPU demand arrived, per seed; tasks tuned to 130% of capacity, shuffled, each submitted once.");
        console.Write(table);
        console.MarkupLineInterpolated($"Bound at 100% (no policy allocates more of the tasks arrived by then; the LP relaxation of the offline optimum): {report.MeanBoundAt100:0.00}% on average ({string.Join(", ", report.Bounds.Select(b => $"{b.AllocationAt100:0.00}"))}).");
        console.MarkupLineInterpolated($"Bound at 100% if every GPU share arrived is placed (below it only by leaving shares out): {Percent(report.MeanEveryShareAt100, "%")} on average ({string.Join(", ", report.Bounds.Select(b => Percent(b.EveryShareAt100, "")))}).");
        if (report.Policies.Any(p => p.Overcommits > 0)) console.MarkupLine("[red]over-committed hosts: the engine is wrong[/]");
        return 0;
    }

    /// <summary>A figure, or a dash where no task arrived near that percent.</summary>
    private static string Percent(double? value, string unit) => value is { } v ? $"{v:0.00}{unit}" : "-";

    private sealed class Progress(Action<(string Policy, int Seed, int Done, int Of)> report) : IProgress<(string Policy, int Seed, int Done, int Of)>
    {
        public void Report((string Policy, int Seed, int Done, int Of) value) => report(value);
    }
}
