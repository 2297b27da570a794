using System.Globalization;
using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Replay;

/// <summary>Reads the node and pod lists of Alibaba's GPU cluster trace (cluster-trace-gpu-v2023, "openb").
/// Nodes: sn,cpu_milli,memory_mib,gpu,model. Pods: name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,...
/// A malformed line is reported with its number and column.</summary>
public static class OpenbTrace
{
    public const string Zone = "openb";

    public static IReadOnlyList<HostSpec> ReadNodes(TextReader reader, string source = "nodes")
    {
        var nodes = new List<HostSpec>();
        foreach (var (line, get) in Rows(reader, source, ["sn", "cpu_milli", "memory_mib", "gpu", "model"]))
        {
            var gpus = Int(get, "gpu", line, source);
            var model = get("model");
            nodes.Add(new HostSpec(get("sn"), Zone, Zone, "CN", Int(get, "cpu_milli", line, source), Long(get, "memory_mib", line, source),
                gpus, gpus == 0 || model.Length == 0 ? null : model));
        }
        return nodes;
    }

    public static IReadOnlyList<OpenbTask> ReadPods(TextReader reader, string source = "pods")
    {
        var pods = new List<OpenbTask>();
        // gpu_spec is optional: some of the trace's pod lists (multigpu50) do not have it.
        foreach (var (line, get) in Rows(reader, source, ["name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"]))
        {
            var gpus = Int(get, "num_gpu", line, source);
            var milli = Int(get, "gpu_milli", line, source);
            if (gpus > 0 && milli is < 1 or > 1000) throw new FormatException($"{source}:{line}: gpu_milli {milli} is not in 1..1000");
            var spec = get("gpu_spec").Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            pods.Add(new OpenbTask(get("name"), new Resources(Int(get, "cpu_milli", line, source), Long(get, "memory_mib", line, source), gpus, gpus == 0 ? 0 : milli), spec));
        }
        return pods;
    }

    /// <summary>The rows of a CSV file with a header (these traces have no quoted fields), each with its line number and
    /// a field getter by column name; a missing required column or a short row names the line.</summary>
    internal static IEnumerable<(int Line, Func<string, string> Get)> Rows(TextReader reader, string source, string[] required)
    {
        var header = reader.ReadLine()?.Split(',') ?? throw new FormatException($"{source}: empty file");
        var index = header.Select((h, i) => (h.Trim(), i)).ToDictionary(x => x.Item1, x => x.i, StringComparer.Ordinal);
        foreach (var name in required)
        {
            if (!index.ContainsKey(name)) throw new FormatException($"{source}:1: missing column '{name}' (found {string.Join(",", header)})");
        }
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            var fields = text.Split(',');
            if (fields.Length < header.Length) throw new FormatException($"{source}:{line}: {fields.Length} fields, expected {header.Length}");
            yield return (line, name => index.TryGetValue(name, out var i) ? fields[i].Trim() : "");
        }
    }

    private static int Int(Func<string, string> get, string column, int line, string source) =>
        int.TryParse(get(column), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v : throw new FormatException($"{source}:{line}: column {column}: '{get(column)}' is not a whole number");

    private static long Long(Func<string, string> get, string column, int line, string source) =>
        long.TryParse(get(column), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v : throw new FormatException($"{source}:{line}: column {column}: '{get(column)}' is not a whole number");
}
