using System.Diagnostics;

namespace Meridian.Cli.Tests;

/// <summary>Runs the built `meridian` command as a user would, in its own process.</summary>
internal static class Meridian
{
    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args)
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
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
