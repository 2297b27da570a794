using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Meridian.Cli.Tests.Replicas;

/// <summary>`meridian serve` in its own process on a PostgreSQL database, sharing the token key and first admin token
/// with the other replicas through files.</summary>
internal sealed class ReplicaProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    private ReplicaProcess(string url, string shared)
    {
        Port = FreePort();
        Url = $"http://127.0.0.1:{Port}/";
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "meridian.dll"), "serve", "--db", url, "--urls", $"http://127.0.0.1:{Port}",
                     "--token-key", Path.Combine(shared, "token-key"), "--admin-token-file", Path.Combine(shared, "admin-token"),
                 })
            start.ArgumentList.Add(a);
        // The clients all use one token from one address: the per-caller rate limits are not what this test measures.
        start.Environment["Meridian__Security__TokenRequestsPerMinute"] = "100000000";
        start.Environment["Meridian__Security__AddressRequestsPerMinute"] = "100000000";
        start.Environment.Remove("MERIDIAN_DB");
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Log(e.Data);
        _process.ErrorDataReceived += (_, e) => Log(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string Url { get; }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts a replica and waits until it answers /readyz with 200.</summary>
    public static async Task<ReplicaProcess> StartAsync(string url, string shared)
    {
        var replica = new ReplicaProcess(url, shared);
        await replica.WaitReadyAsync();
        return replica;
    }

    /// <summary>Polls /readyz until 200; the deadline is generous, as the machine may be busy.</summary>
    public async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < 1200; i++)
        {
            Assert.False(_process.HasExited, $"the replica on {Url} exited:\n{Output}");
            try
            {
                if ((await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        Assert.Fail($"the replica on {Url} was not ready within 120 s:\n{Output}");
    }

    /// <summary>kill -9: no graceful stop, no lease given up.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }

    private void Log(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_log.Length < 200_000) _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
