namespace Meridian.Cli.Tests;

/// <summary>A fresh directory for each test, holding its database and files.</summary>
public abstract class CliTest : IDisposable
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory("meridian-cli-").FullName;

    protected string Db => Path.Combine(Dir, "meridian.db");

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
