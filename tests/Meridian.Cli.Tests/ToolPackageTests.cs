using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Meridian.Cli.Tests;

/// <summary>The CLI as an operator installs it: packed as a .NET tool, installed into a fresh home from a folder, and run
/// from another directory against a running server.</summary>
public sealed class ToolPackageTests : CliTest
{
    [Fact]
    public async Task ThePackedTool_InstallsIntoAFreshHome_AndTalksToAServer()
    {
        var repo = RepositoryRoot();
        // The build this test runs from: pack its output rather than building again.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var packages = Path.Combine(Dir, "packages");
        var home = Path.Combine(Dir, "home");
        Directory.CreateDirectory(home);
        // Only the folder as a source, and a package cache of its own: the install needs no network and leaves nothing
        // behind in the developer's cache (a cached 0.1.0 would hide the next build's package).
        var nugetConfig = Path.Combine(Dir, "nuget.config");
        await File.WriteAllTextAsync(nugetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        var env = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["DOTNET_CLI_HOME"] = home,
            ["NUGET_PACKAGES"] = Path.Combine(Dir, "nuget-cache"),
            // No build nodes left behind holding this process's output open.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        };

        var pack = await RunAsync("dotnet", Dir, env, "pack", Path.Combine(repo, "src", "Meridian.Cli"), "-c", configuration, "--no-build", "-o", packages, "-nologo");
        Assert.True(pack.ExitCode == 0, pack.Out + pack.Err);
        Assert.Single(Directory.GetFiles(packages, "Meridian.Cli.*.nupkg"));

        var install = await RunAsync("dotnet", Dir, env, "tool", "install", "--global", "--configfile", nugetConfig, "Meridian.Cli");
        Assert.True(install.ExitCode == 0, install.Out + install.Err);
        var tool = Path.Combine(home, ".dotnet", "tools", "meridian");
        Assert.True(File.Exists(tool), install.Out);

        // From any directory: not the clone, not the package folder.
        var elsewhere = Directory.CreateDirectory(Path.Combine(Dir, "elsewhere")).FullName;
        var help = await RunAsync(tool, elsewhere, env, "--help");
        Assert.True(help.ExitCode == 0, help.Err);
        Assert.Contains("Usage:", help.Out);
        Assert.Contains("serve", help.Out);
        Assert.Contains("regions", help.Out);

        await StartServerAsync();
        env["MERIDIAN_SERVER"] = Server;
        env["MERIDIAN_TOKEN"] = AdminToken;
        var regions = await RunAsync(tool, elsewhere, env, "regions", "list", "--as-of", "2025-09-30", "--json");
        Assert.True(regions.ExitCode == 0, regions.Err);
        Assert.Equal(29, JsonNode.Parse(regions.Out)!["items"]!.AsArray().Count);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Meridian.slnx"))) return dir.FullName;
        throw new InvalidOperationException("the tests run outside a Meridian clone");
    }

    private static Task<(int ExitCode, string Out, string Err)> RunAsync(string file, string directory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var name in new[] { "MERIDIAN_DB", "MERIDIAN_SERVER", "MERIDIAN_TOKEN", "MERIDIAN_CONTEXT" }) start.Environment.Remove(name);
        start.Environment["MERIDIAN_CONFIG"] = Path.Combine(directory, "meridian-config.json");
        foreach (var (k, v) in environment) start.Environment[k] = v;
        // A guard against a hung process, not a speed limit: packing copies a few hundred megabytes.
        return Meridian.RunAsync(start, TimeSpan.FromMinutes(10));
    }
}
