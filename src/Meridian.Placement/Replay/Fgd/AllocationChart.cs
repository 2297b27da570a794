using System.Globalization;
using System.Text;

namespace Meridian.Placement.Replay.Fgd;

/// <summary>An SVG line chart of a protocol report: GPU allocation against arrived GPU demand, one line per policy
/// (the mean over the seeds), the diagonal where everything arrived is allocated, and the bound at 100%.</summary>
public static class AllocationChart
{
    private const int Width = 800, Height = 460, Left = 60, Right = 270, Top = 40, Bottom = 50;
    // The part where policies differ: below 70% arrived every policy allocates everything.
    private const double XMin = 70, XMax = 130, YMin = 80, YMax = 100;

    private static readonly Dictionary<string, string> Colours = new(StringComparer.Ordinal)
    {
        ["Random"] = "#8c8c8c", ["DotProd"] = "#b07aa1", ["GpuPacking"] = "#edc948", ["GpuClustering"] = "#f28e2b",
        ["BestFit"] = "#4e79a7", ["FGD"] = "#e15759", ["Meridian"] = "#1a7f37", ["Meridian reserve"] = "#17becf",
    };

    public static string Svg(ProtocolReport report, string? title = null)
    {
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        double X(double v) => Left + (v - XMin) / (XMax - XMin) * plotW;
        double Y(double v) => Top + (YMax - Math.Clamp(v, YMin, YMax)) / (YMax - YMin) * plotH;
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12" role="img">""").AppendLine();
        var heading = title ?? $"{report.PodList}: GPU allocation against arrived demand ({report.Seeds.Count} seed{(report.Seeds.Count == 1 ? "" : "s")}, {report.Nodes} nodes, {report.Gpus:0} GPUs)";
        svg.Append(CultureInfo.InvariantCulture, $"""<title>{Escape(heading)}</title><rect width="{Width}" height="{Height}" fill="white"/>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left}" y="22" font-size="14" font-weight="bold">{Escape(heading)}</text>""").AppendLine();
        for (var x = XMin; x <= XMax; x += 10)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{F(X(x))}" y1="{Top}" x2="{F(X(x))}" y2="{Top + plotH}" stroke="#e5e5e5"/><text x="{F(X(x))}" y="{Top + plotH + 16}" text-anchor="middle">{x:0}</text>""").AppendLine();
        }
        for (var y = YMin; y <= YMax; y += 5)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{F(Y(y))}" x2="{Left + plotW}" y2="{F(Y(y))}" stroke="#e5e5e5"/><text x="{Left - 6}" y="{F(Y(y) + 4)}" text-anchor="end">{y:0}</text>""").AppendLine();
        }
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left + plotW / 2}" y="{Height - 10}" text-anchor="middle">GPU demand arrived (% of the cluster's GPUs)</text>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<text transform="translate(16 {Top + plotH / 2}) rotate(-90)" text-anchor="middle">GPUs allocated (%)</text>""").AppendLine();
        // Everything that arrived allocated, up to the cluster's size; and the bound at 100% arrived.
        svg.Append(CultureInfo.InvariantCulture, $"""<polyline points="{F(X(YMin))},{F(Y(YMin))} {F(X(100))},{F(Y(100))} {F(X(XMax))},{F(Y(100))}" fill="none" stroke="#bbbbbb" stroke-dasharray="4 3"/>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{F(X(100))}" cy="{F(Y(report.MeanBoundAt100))}" r="4" fill="none" stroke="#111111"/>""").AppendLine();
        if (report.MeanEveryShareAt100 is { } everyShare)
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{F(X(100) - 3.5)}" y="{F(Y(everyShare) - 3.5)}" width="7" height="7" fill="none" stroke="#111111"/>""").AppendLine();
        var legendY = Top + 4;
        for (var i = 0; i < report.Policies.Count; i++)
        {
            var p = report.Policies[i];
            var colour = Colours.GetValueOrDefault(p.Policy, "#111111");
            // From where the line enters the chart (allocation at least YMin): below it everything arrived is allocated.
            var points = Enumerable.Range((int)XMin, (int)(XMax - XMin) + 1).Where(x => p.MeanAllocation[x] is >= YMin)
                .Select(x => $"{F(X(x))},{F(Y(p.MeanAllocation[x]!.Value))}");
            var wide = p.Policy.StartsWith("Meridian", StringComparison.Ordinal) ? 3 : 1.6;
            svg.Append(CultureInfo.InvariantCulture, $"""<polyline points="{string.Join(' ', points)}" fill="none" stroke="{colour}" stroke-width="{F(wide)}"><title>{Escape(p.Policy)}</title></polyline>""").AppendLine();
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left + plotW + 14}" y1="{legendY + 18 * i}" x2="{Left + plotW + 34}" y2="{legendY + 18 * i}" stroke="{colour}" stroke-width="{F(wide)}"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left + plotW + 40}" y="{legendY + 18 * i + 4}">{Escape(p.Policy)}: {(p.MeanUnallocatedAt100 is { } u ? $"{u:0.00}%" : "-")} free at 100</text>""").AppendLine();
        }
        var note = legendY + 18 * report.Policies.Count + 10;
        svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{Left + plotW + 24}" cy="{note}" r="4" fill="none" stroke="#111111"/><text x="{Left + plotW + 40}" y="{note + 4}">bound at 100: {report.MeanBoundAt100:0.00}%</text>""").AppendLine();
        if (report.MeanEveryShareAt100 is { } shares)
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{Left + plotW + 20.5}" y="{note + 14.5}" width="7" height="7" fill="none" stroke="#111111"/><text x="{Left + plotW + 40}" y="{note + 22}">placing every share: {shares:0.00}%</text>""").AppendLine();
        svg.Append("</svg>").AppendLine();
        return svg.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
