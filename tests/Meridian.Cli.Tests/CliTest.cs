using Meridian.Storage.Worlds;
using Microsoft.Data.Sqlite;

namespace Meridian.Cli.Tests;

/// <summary>A fresh directory for each test, holding a database seeded with the demo world (the CLI refuses a missing
/// one) and the test's files.</summary>
public abstract class CliTest : IDisposable
{
    private static readonly Lazy<string> Template = new(CreateTemplate);

    protected CliTest() => File.Copy(Template.Value, Db);

    protected string Dir { get; } = Directory.CreateTempSubdirectory("meridian-cli-").FullName;

    protected string Db => Path.Combine(Dir, "meridian.db");

    public void Dispose()
    {
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
