using System.CommandLine;
using System.Globalization;
using Meridian.Core.Latency;
using Meridian.Core.Model;

namespace Meridian.Cli.Commands;

internal static class LatencyCommand
{
    public static Command Create()
    {
        var pairs = new Option<FileInfo>("--pairs") { Description = "CSV of from_lat,from_lon,to_lat,to_lon (a header line is allowed); '-' reads standard input", Required = true };
        var fixedMs = new Option<double?>("--fixed-ms") { Description = "Override the model's fixed cost (ms)" };
        var perKm = new Option<double?>("--ms-per-km") { Description = "Override the model's ms per km" };
        var estimate = new Command("estimate", "Estimate the RTT of each pair of points: writes 'rtt_ms' then one value per line, in order") { pairs, fixedMs, perKm };
        estimate.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var file = parse.GetValue(pairs)!;
            var defaults = new LatencyModelOptions();
            var model = new LatencyModel(defaults with { FixedMs = parse.GetValue(fixedMs) ?? defaults.FixedMs, MsPerKm = parse.GetValue(perKm) ?? defaults.MsPerKm });
            using var reader = file.Name == "-" ? Console.In : file.Exists ? file.OpenText() : null;
            if (reader is null)
            {
                CommonOptions.Error($"no file '{file.FullName}'", []);
                return 1;
            }
            var output = new List<string> { "rtt_ms" };
            var number = 0;
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                number++;
                if (line.Trim().Length == 0) continue;
                var fields = line.Split(',');
                var values = new double[4];
                var ok = fields.Length == 4;
                for (var i = 0; ok && i < 4; i++) ok = double.TryParse(fields[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i]);
                if (!ok)
                {
                    if (number == 1 && fields.Length >= 4 && !char.IsDigit(fields[0].Trim().TrimStart('-', '+').FirstOrDefault())) continue; // header
                    CommonOptions.Error($"line {number}: expected four numbers from_lat,from_lon,to_lat,to_lon, got '{line}'", []);
                    return 1;
                }
                if (Math.Abs(values[0]) > 90 || Math.Abs(values[2]) > 90 || Math.Abs(values[1]) > 180 || Math.Abs(values[3]) > 180)
                {
                    CommonOptions.Error($"line {number}: a latitude is outside [-90, 90] or a longitude outside [-180, 180]", []);
                    return 1;
                }
                output.Add(model.EstimateMs(new GeoPoint(values[0], values[1]), new GeoPoint(values[2], values[3])).ToString("0.###", CultureInfo.InvariantCulture));
            }
            await Console.Out.WriteAsync(string.Join('\n', output) + "\n");
            return 0;
        }));
        return new Command("latency", "The RTT model used for steering and planning") { estimate };
    }
}
