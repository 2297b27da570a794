namespace Meridian.Server.Tests;

/// <summary>The clone the tests run from, for the files they check against (the console's packages, web/openapi.json).</summary>
public static class Repository
{
    public static readonly string Root = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Meridian.slnx"))) return dir.FullName;
        throw new InvalidOperationException("the tests run outside a Meridian clone");
    }
}
