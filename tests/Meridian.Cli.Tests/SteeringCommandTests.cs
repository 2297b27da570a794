using System.Text.Json.Nodes;

namespace Meridian.Cli.Tests;

public sealed class SteeringCommandTests : CliTest
{
    [Fact]
    public async Task Route_ParisQwen_IsFrankfurt()
    {
        var (code, output, error) = await Cli("route", "--service", "qwen3-max", "--lat", "48.8566", "--lon", "2.3522", "--country", "FR", "--json");
        Assert.True(code == 0, error);
        var d = JsonNode.Parse(output)!;
        Assert.Equal("eu-central-1", d["region"]!.GetValue<string>());
        Assert.Equal("strict", d["policy"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("--lat", "91", "lat")]
    [InlineData("--country", "XX", "country")]
    [InlineData("--service", "teleport", "service")]
    public async Task Route_BadInput_SaysWhich(string option, string value, string field)
    {
        var args = new Dictionary<string, string> { ["--service"] = "qwen3-max", ["--lat"] = "48.8", ["--lon"] = "2.3", ["--country"] = "FR" };
        args[option] = value;
        var (code, _, error) = await Cli([.. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.Equal(1, code);
        Assert.Contains(field, error);
    }

    [Fact]
    public async Task LatencyEstimate_WritesOneRttPerPair_InOrder()
    {
        var file = Path.Combine(Dir, "pairs.csv");
        await File.WriteAllTextAsync(file, "from_lat,from_lon,to_lat,to_lon\n48.85,2.35,50.11,8.68\n48.85,2.35,48.85,2.35\n1,103.8,37.4,-121.9\n");
        var (code, output, error) = await Meridian.RunAsync("latency", "estimate", "--pairs", file);
        Assert.True(code == 0, error);
        var lines = output.Trim().Split('\n');
        Assert.Equal("rtt_ms", lines[0]);
        Assert.Equal(4, lines.Length);
        var values = lines.Skip(1).Select(l => double.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2.0, values[1]);
        Assert.True(values[2] > values[0]);
    }

    [Fact]
    public async Task LatencyEstimate_MalformedLine_ReportsItsNumber()
    {
        var file = Path.Combine(Dir, "pairs.csv");
        await File.WriteAllTextAsync(file, "48.85,2.35,50.11,8.68\n48.85,2.35,oops,8.68\n");
        var (code, _, error) = await Meridian.RunAsync("latency", "estimate", "--pairs", file);
        Assert.Equal(1, code);
        Assert.Contains("line 2", error);
    }
}
