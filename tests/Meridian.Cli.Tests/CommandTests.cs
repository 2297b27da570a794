using System.Text.Json.Nodes;

namespace Meridian.Cli.Tests;

public sealed class CommandTests : CliTest
{
    [Fact]
    public async Task RegionsList_AsOfSeptember2025_Json_Gives29Regions()
    {
        var (code, output, error) = await Cli("regions", "list", "--as-of", "2025-09-30", "--json");
        Assert.True(code == 0, error);
        var items = JsonNode.Parse(output)!["items"]!.AsArray();
        Assert.Equal(29, items.Count);
        Assert.Equal(14, items.Count(r => r!["country"]!.GetValue<string>() == "CN"));
    }

    [Fact]
    public async Task RegionsList_PrintsAReadableTable()
    {
        var (code, output, _) = await Cli("regions", "list", "--country", "GB");
        Assert.Equal(0, code);
        Assert.Contains("eu-west-1", output);
        Assert.Contains("UK (London)", output);
        Assert.Contains("2018-10-01", output);
        Assert.Contains("1 regions", output);
    }

    [Theory]
    [InlineData("--as-of", "2025-02-30", "asOf")]
    [InlineData("--boundary", "Atlantis", "boundary")]
    [InlineData("--status", "Alive", "status")]
    public async Task RegionsList_BadFilter_SaysWhy_AndExitsNonZero(string option, string value, string field)
    {
        var (code, _, error) = await Cli("regions", "list", option, value);
        Assert.Equal(1, code);
        Assert.Contains("error:", error);
        Assert.Contains(field, error);
    }

    [Fact]
    public async Task Export_ThenDryRunImport_ChangesNothing_AndImportAppliesAnEdit()
    {
        var file = Path.Combine(Dir, "world.yaml");
        var export = await Cli("world", "export", "--format", "yaml", "--output", file);
        Assert.Equal(0, export.ExitCode);
        Assert.StartsWith("format: meridian/world@1", await File.ReadAllTextAsync(file));

        var dry = await Cli("world", "import", file, "--dry-run", "--json");
        Assert.Equal(0, dry.ExitCode);
        Assert.Equal((0, 0, 0), Counts(dry.Out));

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("name: UK (London)", "name: London"));
        var import = await Cli("world", "import", file, "--json");
        Assert.Equal(0, import.ExitCode);
        Assert.Equal((0, 1, 0), Counts(import.Out));
        var (_, regions, _) = await Cli("regions", "list", "--country", "GB", "--json");
        Assert.Equal("London", JsonNode.Parse(regions)!["items"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Import_OfABadDocument_ListsEveryProblem_WritesNothing_AndExits1()
    {
        var file = Path.Combine(Dir, "bad.json");
        await File.WriteAllTextAsync(file, """
            {"format":"meridian/world@1","regions":[
              {"id":"eu-a-1","name":"A","city":"X","country":"DE","location":{"latitude":95,"longitude":0},"history":[{"status":"Live","on":"2020-01-01"}],"services":["nope"]}]}
            """);
        var before = await Cli("world", "export");
        var (code, _, error) = await Cli("world", "import", file);
        Assert.Equal(1, code);
        Assert.Contains("regions[0].location.latitude", error);
        Assert.Contains("regions[0].services[0]", error);
        var after = await Cli("world", "export");
        Assert.Equal(before.Out, after.Out);
    }

    [Fact]
    public async Task Import_OfAMissingFile_SaysSo()
    {
        var (code, _, error) = await Cli("world", "import", Path.Combine(Dir, "none.json"));
        Assert.Equal(1, code);
        Assert.Contains("no file", error);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("regions", "list")]
    [InlineData("world", "import")]
    [InlineData("world", "export")]
    [InlineData("place")]
    [InlineData("capacity")]
    [InlineData("drain")]
    public async Task EveryCommand_HasHelp(params string[] command)
    {
        var (code, output, _) = await Meridian.RunAsync([.. command, "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output);
        Assert.Contains(command[0] is "serve" or "world" ? "--db" : "--server", output);
    }

    [Fact]
    public async Task UnknownOption_IsAnError()
    {
        var (code, _, error) = await Meridian.RunAsync("regions", "list", "--colour", "red");
        Assert.NotEqual(0, code);
        Assert.Contains("--colour", error);
    }

    private static (int, int, int) Counts(string json)
    {
        var n = JsonNode.Parse(json)!;
        return (n["created"]!.GetValue<int>(), n["updated"]!.GetValue<int>(), n["deleted"]!.GetValue<int>());
    }
}

public sealed class DatabaseCommandTests : CliTest
{
    [Fact]
    public async Task ACommandOnAMissingDatabase_IsRefusedNamingThePath_AndCreatesNothing()
    {
        var missing = Path.Combine(Dir, "elsewhere.db");
        var (code, _, error) = await Meridian.RunAsync("world", "export", "--db", missing);
        Assert.Equal(1, code);
        Assert.Contains(missing, error);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Init_CreatesADatabaseOnce_SayingSo()
    {
        var path = Path.Combine(Dir, "new.db");
        var first = await Meridian.RunAsync("init", "--db", path);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains($"created database {path} with the demo world", first.Err);
        var again = await Meridian.RunAsync("init", "--db", path);
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("created", again.Err);
        Assert.Equal(0, (await Meridian.RunAsync("world", "export", "--db", path)).ExitCode);
    }

    [Fact]
    public async Task Serve_InAMissingDirectory_IsRefused_NamingIt()
    {
        var path = Path.Combine(Dir, "mistyped", "dir", "x.db");
        var (code, _, error) = await Meridian.RunAsync("serve", "--db", path, "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(Dir, "mistyped", "dir"), error);
        Assert.False(Directory.Exists(Path.Combine(Dir, "mistyped")));
    }

    [Fact]
    public async Task Serve_OnAPortInUse_SaysSoInOneLine()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var (code, _, error) = await Meridian.RunAsync("serve", "--db", Db, "--urls", $"http://127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Contains("already in use", error);
        Assert.DoesNotContain("   at ", error);
        Assert.True(error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 3, error);
    }

    [Fact]
    public async Task AnError_IsPrintedOnce()
    {
        var (code, _, error) = await Cli("place");
        Assert.Equal(1, code);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(error, "is required"));
    }

    [Fact]
    public async Task DrainWithoutApply_ChangesNothing()
    {
        var before = (await Cli("world", "export")).Out;
        var (code, output, error) = await Cli("drain", "lon1");
        Assert.True(code is 0 or 3, error);
        Assert.Contains("would move", output);
        var (_, facilities, _) = await Cli("regions", "list", "--country", "GB", "--json");
        Assert.Contains("Live", facilities);
        Assert.Equal(before, (await Cli("world", "export")).Out);
    }
}

public sealed class DatabaseOptionTests : CliTest
{
    [Theory]
    [InlineData("init")]
    [InlineData("serve")]
    [InlineData("world", "export")]
    [InlineData("token", "list")]
    public async Task AnEmptyOrDirectoryDb_IsRefusedInOneLine(params string[] command)
    {
        foreach (var db in new[] { "", Dir })
        {
            var (code, _, error) = await Meridian.RunAsync([.. command, "--db", db]);
            Assert.NotEqual(0, code);
            Assert.Contains("--db", error);
            Assert.DoesNotContain("   at ", error);
        }
    }
}
