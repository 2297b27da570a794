using System.Text.Json.Nodes;

namespace Meridian.Cli.Tests;

/// <summary>The server's options from appsettings.json, --config and MERIDIAN__ variables, checked at start.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meridian-config-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Show_MergesFileAndEnvironment_EnvironmentWins_AndRedactsThePassword()
    {
        var file = Path.Combine(_dir, "meridian.json");
        await File.WriteAllTextAsync(file, """{"Meridian":{"PlacementBatch":16,"Changes":{"MaxWatchers":7},"Placement":{"GpuRatio":2}}}""");
        var env = new Dictionary<string, string> { ["MERIDIAN__PLACEMENT__GPURATIO"] = "3", ["MERIDIAN_DB"] = "postgres://meridian:s3cret@db.internal:5432/meridian" };
        var shown = await Meridian.RunAsync(env, "config", "show", "--config", file);
        Assert.True(shown.ExitCode == 0, shown.Err);
        var m = JsonNode.Parse(shown.Out)!["Meridian"]!;
        Assert.Equal(16, m["PlacementBatch"]!.GetValue<int>());
        Assert.Equal(7, m["Changes"]!["MaxWatchers"]!.GetValue<int>());
        Assert.Equal(3, m["Placement"]!["GpuRatio"]!.GetValue<double>());
        Assert.Equal("postgres://meridian:***@db.internal:5432/meridian", m["DatabasePath"]!.GetValue<string>());
        Assert.DoesNotContain("s3cret", shown.Out);
    }

    [Theory]
    [InlineData("MERIDIAN__PLACEMENT__GPURATIO", "0", "Meridian:Placement:GpuRatio")]
    [InlineData("MERIDIAN__PLACEMENTBATCH", "many", "Meridian:PlacementBatch")]
    [InlineData("MERIDIAN__CHANGES__RETENTON", "1.00:00:00", "RETENTON")]
    [InlineData("Meridian__Telemetry__OtlpProtocol", "carrier-pigeon", "Meridian:Telemetry:OtlpProtocol")]
    [InlineData("MERIDIAN__SECURITY__TRUSTEDPROXIES__0", "not-an-address", "Meridian:Security:TrustedProxies")]
    public async Task A_bad_value_stops_serve_at_start_with_one_line_naming_the_key(string variable, string value, string key)
    {
        var env = new Dictionary<string, string> { [variable] = value };
        var serve = await Meridian.RunAsync(env, "serve", "--db", Path.Combine(_dir, "never.db"), "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, serve.ExitCode);
        Assert.Contains(key, serve.Err.Replace("\n", " "));
        Assert.DoesNotContain("   at ", serve.Err);
        Assert.False(File.Exists(Path.Combine(_dir, "never.db")), "nothing is created before the configuration is checked");
    }

    [Fact]
    public async Task A_missing_or_broken_config_file_is_named()
    {
        var missing = await Meridian.RunAsync("config", "show", "--config", Path.Combine(_dir, "none.json"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("none.json", missing.Err);
        var broken = Path.Combine(_dir, "broken.json");
        await File.WriteAllTextAsync(broken, "{\"Meridian\": ");
        var bad = await Meridian.RunAsync("config", "show", "--config", broken);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("broken.json", bad.Err);
    }
}
