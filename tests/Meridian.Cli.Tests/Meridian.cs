using System.Diagnostics;

namespace Meridian.Cli.Tests;

/// <summary>Runs the built `meridian` command as a user would, in its own process.</summary>
internal static class Meridian
{
    public static Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs with <paramref name="environment"/> added. The caller's MERIDIAN_* variables never leak in, and the
    /// config file is a fresh path unless one is given, so a developer's own contexts cannot change a test.</summary>
    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "meridian.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        // A wide, plain terminal so tables are not wrapped or coloured.
        start.Environment["COLUMNS"] = "200";
        start.Environment["NO_COLOR"] = "1";
        foreach (var name in new[] { "MERIDIAN_DB", "MERIDIAN_SERVER", "MERIDIAN_TOKEN", "MERIDIAN_CONTEXT" }) start.Environment.Remove(name);
        start.Environment["MERIDIAN_CONFIG"] = Path.Combine(Path.GetTempPath(), $"meridian-no-config-{Guid.NewGuid():N}.json");
        foreach (var (k, v) in environment) start.Environment[k] = v;
        return await RunAsync(start, TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs a process to its end and returns what it wrote; <paramref name="hangGuard"/> only stops a hung one.</summary>
    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(ProcessStartInfo start, TimeSpan hangGuard)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(hangGuard);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
