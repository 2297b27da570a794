namespace Meridian.Storage.Tests;

/// <summary>A SQLite file in a fresh temporary directory, removed afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meridian-test-").FullName;

    public string Path => System.IO.Path.Combine(_dir, "meridian.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
