using Meridian.Server;
using Meridian.Storage.Worlds;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Meridian.Cli.Tests;

/// <summary>A fresh directory for each test, holding a database seeded with the demo world (the CLI refuses a missing
/// one) and the test's files; and, from a test's first <see cref="Cli"/>, a real server on it for the commands that go
/// through the API.</summary>
public abstract class CliTest : IDisposable
{
    private WebApplication? _server;
    private static readonly Lazy<string> Template = new(CreateTemplate);

    protected CliTest() => File.Copy(Template.Value, Db);

    protected string Dir { get; } = Directory.CreateTempSubdirectory("meridian-cli-").FullName;

    protected string Db => Path.Combine(Dir, "meridian.db");

    /// <summary>The server's URL, once <see cref="Cli"/> has started it.</summary>
    protected string Server { get; private set; } = "";

    /// <summary>The first admin token the server wrote.</summary>
    protected string AdminToken { get; private set; } = "";

    /// <summary>Runs the command against this test's server, with its admin token in MERIDIAN_TOKEN.</summary>
    protected Task<(int ExitCode, string Out, string Err)> Cli(params string[] args) => CliAs(null, args);

    /// <summary>Runs the command against this test's server with <paramref name="token"/> (the admin token when null).</summary>
    protected async Task<(int ExitCode, string Out, string Err)> CliAs(string? token, params string[] args)
    {
        await StartServerAsync();
        return await Meridian.RunAsync(new Dictionary<string, string> { ["MERIDIAN_SERVER"] = Server, ["MERIDIAN_TOKEN"] = token ?? AdminToken }, args);
    }

    protected async Task StartServerAsync()
    {
        if (_server is not null) return;
        var options = new ServerOptions { DatabasePath = Db, Urls = "http://127.0.0.1:0" };
        _server = await MeridianServer.BuildAsync(options);
        await _server.StartAsync();
        Server = _server.Urls.First();
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(Dir, "meridian.admin-token"))).Trim();
    }

    public void Dispose()
    {
        if (_server is not null)
        {
            _server.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)_server).Dispose();
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>One seeded database per test run, checkpointed into its main file so a copy is complete.</summary>
    private static string CreateTemplate()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("meridian-cli-template-").FullName, "meridian.db");
        using (var store = global::Meridian.Storage.WorldStore.OpenAsync(path, () => DemoWorld.Load()).GetAwaiter().GetResult())
        using (var ledger = new global::Meridian.Storage.Ledger.AllocationLedger(store))
        {
            // The tests place workloads for "acme"; a tenant exists before its workloads.
            ledger.CreateTenantAsync(new global::Meridian.Storage.Ledger.Tenant("acme"), "test").GetAwaiter().GetResult();
        }
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            cmd.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        return path;
    }
}
