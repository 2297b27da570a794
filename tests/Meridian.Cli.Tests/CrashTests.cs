using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Meridian.Cli.Tests;

/// <summary>A real `meridian serve` process killed with SIGKILL while clients write, three times: after each restart
/// every write the server acknowledged is there, and the database passes SQLite's integrity check.</summary>
public sealed class CrashTests : CliTest
{
    [Fact]
    public async Task KillNineUnderWriteLoad_LosesNoAcknowledgedWrite()
    {
        var acknowledged = new List<(string Kind, string Id)>();
        for (var round = 0; round < 3; round++)
        {
            var port = FreePort();
            using var server = Start(port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await WaitUntilUpAsync(http, server);
            http.DefaultRequestHeaders.Authorization = new("Bearer", WrittenAdminToken());

            // Everything acknowledged before this restart is still there.
            foreach (var (kind, id) in acknowledged)
                Assert.True((await http.GetAsync($"/api/v1/{kind}/{id}")).StatusCode == HttpStatusCode.OK, $"{kind}/{id} was acknowledged but is gone after a kill -9 (round {round})");

            // Writers until the kill: new regions (registry) and workloads (ledger). Kill after a number of acknowledged writes, not a time.
            using var stop = new CancellationTokenSource();
            var acks = new List<(string, string)>();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        var (kind, id, response) = w % 2 == 0
                            ? ("regions", $"eu-crash-{round}{w}{i}", await http.PostAsync("/api/v1/regions", Json($$"""
                                {"id":"eu-crash-{{round}}{{w}}{{i}}","name":"Crash","city":"Berlin","country":"DE","location":{"latitude":52.5,"longitude":13.4},"status":"Planned","services":[]}
                                """)))
                            : ("workloads", "", await http.PostAsync("/api/v1/workloads", Json($$$"""
                                {"tenant":"acme","name":"w{{{round}}}-{{{w}}}-{{{i}}}","replicas":1,"resources":{"vcpu":1,"memoryGiB":1}}
                                """)));
                        if (response.StatusCode != HttpStatusCode.Created) continue;
                        if (kind == "workloads") id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
                        lock (acks) acks.Add((kind, id));
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToArray();
            while (true)
            {
                lock (acks)
                {
                    if (acks.Count >= 40) break;
                }
                Assert.False(server.HasExited, "the server stopped before it was killed");
                await Task.Delay(10);
            }
            server.Kill(); // SIGKILL: no shutdown, no checkpoint
            await server.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
            lock (acks) acknowledged.AddRange(acks);

            using var c = new SqliteConnection($"Data Source={Db};Pooling=False");
            c.Open();
            using var check = c.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }
        Assert.True(acknowledged.Count >= 120);

        // A last start checks the final round's writes.
        var lastPort = FreePort();
        using var last = Start(lastPort);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{lastPort}") };
        await WaitUntilUpAsync(client, last);
        client.DefaultRequestHeaders.Authorization = new("Bearer", WrittenAdminToken());
        foreach (var (kind, id) in acknowledged)
            Assert.True((await client.GetAsync($"/api/v1/{kind}/{id}")).StatusCode == HttpStatusCode.OK, $"{kind}/{id} was acknowledged but is gone");
        last.Kill();
        await last.WaitForExitAsync();
    }

    /// <summary>The first start wrote an admin token beside the database; later starts keep it.</summary>
    private string WrittenAdminToken() => File.ReadAllText(Path.Combine(Dir, "meridian.admin-token")).Trim();

    private Process Start(int port)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "meridian.dll"), "serve", "--db", Db, "--urls", $"http://127.0.0.1:{port}" })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilUpAsync(HttpClient http, Process server)
    {
        for (var i = 0; i < 600; i++)
        {
            Assert.False(server.HasExited, "the server did not start");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        Assert.Fail("the server did not answer /healthz within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
