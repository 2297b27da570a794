using System.CommandLine;
using Meridian.Core.Validation;
using Meridian.Storage.Sqlite;
using Meridian.Storage.Worlds;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary>Options and plumbing shared by the commands that work on a database directly.</summary>
internal static class CommonOptions
{
    public static Option<string> Database() => new("--db")
    {
        Description = "SQLite database file; created and seeded with the demo world when missing",
        DefaultValueFactory = _ => "meridian.db",
    };

    public static Option<bool> Json() => new("--json") { Description = "Write JSON for scripts instead of a table" };

    public static Task<SqliteWorldStore> OpenAsync(string path, CancellationToken ct) =>
        SqliteWorldStore.OpenAsync(path, () => DemoWorld.Load(), cancellationToken: ct);

    /// <summary>Runs a command body; a refused request prints its problems to standard error and exits 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (RegistryException e)
        {
            Error(e.Message, e.Errors);
            return 1;
        }
        catch (Meridian.Storage.Ledger.PlacementRefusedException e)
        {
            Error($"cannot place: {e.Problem.Constraint}", [new FieldError(e.Problem.Constraint, e.Problem.Message)]);
            return 1;
        }
        catch (Meridian.Planning.Instances.PlanningInputException e)
        {
            Error(e.Message, [new FieldError(e.Field, e.Message)]);
            return 1;
        }
        catch (FormatException e)
        {
            Error(e.Message, []);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            Error(e.Message, []);
            return 1;
        }
    }

    /// <summary>Standard output; when it is not a terminal, tables are not squeezed into 80 columns.</summary>
    public static IAnsiConsole Console()
    {
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected) console.Profile.Width = 240;
        return console;
    }

    public static void Error(string message, IReadOnlyList<FieldError> errors)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
        console.MarkupLineInterpolated($"[red]error:[/] {message}");
        foreach (var e in errors) console.MarkupLineInterpolated($"  [yellow]{e.Field}[/]: {e.Message}");
    }
}
