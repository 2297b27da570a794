using System.Text.Json.Nodes;

namespace Meridian.Cli.Tests;

public sealed class PlanCommandTests : CliTest
{
    private static string OrLib(string set, string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "data", "orlib", set, name + ".txt");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(name);
    }

    [Theory]
    [InlineData("cap71", 932615.750)]
    [InlineData("cap134", 928941.750)]
    [InlineData("capb", 12979071.582)]
    public async Task Orlib_prints_the_published_optimum_and_says_it_is_optimal(string name, double optimum)
    {
        var (code, output, error) = await Meridian.RunAsync("plan", "orlib", OrLib("uncap", name), "--time-limit", "60", "--json");

        Assert.True(code == 0, error);
        var d = JsonNode.Parse(output)!;
        // Printed to three decimals, some cut (cap101) and some rounded (capb): within one unit of the last place.
        Assert.InRange(d["objective"]!.GetValue<double>(), optimum - 0.001, optimum + 0.001);
        Assert.True(d["optimal"]!.GetValue<bool>());
        Assert.True(d["bound"]!.GetValue<double>() <= d["objective"]!.GetValue<double>());
        Assert.True(d["seconds"]!.GetValue<double>() >= 0);
    }

    [Fact]
    public async Task Orlib_reports_the_line_and_token_of_a_malformed_file()
    {
        var file = Path.Combine(Dir, "broken.txt");
        await File.WriteAllTextAsync(file, "2 1\n10 5\n10 x5\n1\n3 4\n");

        var (code, output, error) = await Meridian.RunAsync("plan", "orlib", file, "--json");

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("broken.txt:3: token 'x5'", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task Orlib_says_an_instance_is_infeasible()
    {
        var file = Path.Combine(Dir, "tight.txt");
        await File.WriteAllTextAsync(file, "2 2\n5 10\n5 10\n8 1 2\n8 2 1\n");

        var (code, _, error) = await Meridian.RunAsync("plan", "orlib", file);

        Assert.Equal(1, code);
        Assert.Contains("infeasible", error);
    }

    [Fact]
    public async Task Expansion_prints_the_chosen_sites_and_the_share_within_the_target()
    {
        var (code, output, error) = await Cli("plan", "expansion", "--add", "3", "--slo-ms", "50", "--date", "2025-09-30");

        Assert.True(code == 0, error);
        Assert.Contains("3 new sites", output);
        Assert.Contains("People within 50 ms", output);
        Assert.Contains("proven optimal", output);
        // Without a terminal the stages go to standard error, one line each.
        Assert.Contains("latency", error);
        Assert.Contains("100 % done", error);
    }

    [Fact]
    public async Task Expansion_json_has_sites_and_before_and_after()
    {
        var (code, output, error) = await Cli("plan", "expansion", "--add", "2", "--boundary", "EU", "--ownership", "colocation", "--json", "--date", "2025-09-30");

        Assert.True(code == 0, error);
        var d = JsonNode.Parse(output)!;
        Assert.Equal(2, d["sites"]!.AsArray().Count);
        Assert.All(d["sites"]!.AsArray(), s => Assert.Equal("colocation", s!["ownership"]!.GetValue<string>()));
        Assert.True(d["after"]!["shareWithinTarget"]!.GetValue<double>() >= d["before"]!["shareWithinTarget"]!.GetValue<double>());
    }

    [Fact]
    public async Task Close_reports_who_gets_worse()
    {
        var (code, output, error) = await Cli("plan", "close", "eu-central-1", "--residency", "global", "--date", "2025-09-30", "--json");

        Assert.True(code == 0, error);
        var d = JsonNode.Parse(output)!;
        Assert.True(d["worsePopulation"]!.GetValue<long>() > 0);
        Assert.Contains(d["countries"]!.AsArray(), c => c!["country"]!.GetValue<string>() == "DE");
    }

    [Theory]
    [InlineData("close", "no-such-region", "region")]
    [InlineData("expansion", "--add=400", "add")]
    [InlineData("expansion", "--boundary=XX", "boundary")]
    [InlineData("expansion", "--date=2025-13-01", "--date")]
    [InlineData("expansion", "--time-limit=1e300", "--time-limit")]
    public async Task Bad_plans_exit_1_naming_the_field(string command, string argument, string field)
    {
        string[] args = command == "close" ? ["plan", "close", argument] : ["plan", "expansion", "--add", "2", argument];

        var (code, _, error) = await Cli(args);

        Assert.Equal(1, code);
        Assert.Contains(field, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task Weights_from_a_file_change_the_plan()
    {
        var weights = Path.Combine(Dir, "weights.csv");
        await File.WriteAllTextAsync(weights, "country,weight\nAU,1000\n");

        var (code, output, error) = await Cli("plan", "expansion", "--add", "1", "--weights", weights, "--json", "--date", "2025-09-30");

        Assert.True(code == 0, error);
        Assert.Equal("AU", JsonNode.Parse(output)!["sites"]![0]!["country"]!.GetValue<string>());
    }
}
