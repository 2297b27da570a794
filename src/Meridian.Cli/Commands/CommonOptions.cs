using Meridian.Storage;
using System.CommandLine;
using Meridian.Core.Validation;
using Meridian.Storage.Worlds;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary>Options and plumbing shared by the commands that work on a database directly.</summary>
internal static class CommonOptions
{
    public static Option<string> Database()
    {
        var option = new Option<string>("--db")
        {
            Description = "The database: a SQLite file (it must exist: 'meridian serve' or 'meridian init' creates one), or PostgreSQL " +
                          "as postgres://user@host:port/db or 'Host=...;Database=...'. Default: $MERIDIAN_DB, else meridian.db",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MERIDIAN_DB") is { Length: > 0 } env ? env : "meridian.db",
        };
        option.Validators.Add(r => ValidateDatabase(r.GetValueOrDefault<string>(), r.AddError));
        return option;
    }

    /// <summary>--db for a command that otherwise goes through the API: given, the command works on the database
    /// directly with no server (offline import and export, the first token).</summary>
    public static Option<string?> OfflineDatabase(string purpose)
    {
        var option = new Option<string?>("--db")
        {
            Description = $"Work on this database directly, with no server ({purpose}): a SQLite file or a PostgreSQL URL. Without it the command goes through the API",
        };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0) ValidateDatabase(r.GetValueOrDefault<string?>(), r.AddError);
        });
        return option;
    }

    private static void ValidateDatabase(string? path, Action<string> error)
    {
        if (string.IsNullOrWhiteSpace(path)) error("--db must name a database file or a PostgreSQL URL");
        else if (Meridian.Storage.Data.Database.IsPostgres(path))
        {
            try { Meridian.Storage.Data.PostgresDatabase.Parse(path); }
            catch (ArgumentException e) { error($"--db: {e.Message}"); }
        }
        else if (Directory.Exists(path)) error($"--db {Path.GetFullPath(path)} is a directory; name a database file in it");
    }

    public static Option<bool> Json() => new("--json") { Description = "Write JSON for scripts instead of a table" };

    /// <summary>Opens an existing database; a missing one is refused naming its path, so a command run from the
    /// wrong directory never shows a fresh demo world as if it were the operator's.</summary>
    public static Task<WorldStore> OpenAsync(string path, CancellationToken ct)
    {
        if (!Meridian.Storage.Data.Database.IsPostgres(path) && !File.Exists(path))
            throw new IOException($"no database at {System.IO.Path.GetFullPath(path)}; give --db PATH, or create one with 'meridian init --db PATH' or 'meridian serve --db PATH'");
        return WorldStore.OpenAsync(path, cancellationToken: ct);
    }

    /// <summary>Opens a database, creating it (and seeding the demo world unless <paramref name="empty"/>) when it is
    /// missing; says which in one line on standard error. The directory must exist.</summary>
    public static async Task<WorldStore> OpenOrCreateAsync(string path, bool empty, CancellationToken ct)
    {
        var created = !Meridian.Storage.Data.Database.IsPostgres(path) && !File.Exists(path);
        var store = await WorldStore.OpenAsync(path, empty ? null : () => DemoWorld.Load(), cancellationToken: ct);
        SayDatabase(store.Database, created, empty);
        return store;
    }

    /// <summary>The one line that says which database a command created or opened.</summary>
    public static void SayDatabase(Meridian.Storage.Data.Database database, bool created, bool empty = false) =>
        System.Console.Error.WriteLine(created
            ? $"meridian: created database {database.FilePath ?? database.Description}{(empty ? " (empty)" : " with the demo world")}"
            : $"meridian: database {database.FilePath ?? database.Description}");

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
        catch (Meridian.Storage.Data.StoreUnavailableException e)
        {
            Error(e.Message, [new FieldError("db", "unreachable; check the URL, the server and its credentials")]);
            return 1;
        }
        catch (Meridian.Server.ConfigurationException e)
        {
            Error(e.Message, []);
            return 1;
        }
        catch (Meridian.Client.MeridianApiException e)
        {
            Error(ApiMessage(e), e.Errors.Select(f => new FieldError(f.Field, f.Message)).ToArray());
            return 1;
        }
        catch (Meridian.Client.ServerUnreachableException e)
        {
            Error(e.Message, []);
            return 1;
        }
        catch (System.Text.Json.JsonException e)
        {
            Error($"not valid JSON: {e.Message}", []);
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

    private static string ApiMessage(Meridian.Client.MeridianApiException e)
    {
        var what = e.Problem?.Detail ?? e.Problem?.Title ?? $"HTTP {e.Status}";
        return e.Status switch
        {
            401 => $"the server refused the token (401): {what}; check --token-file, MERIDIAN_TOKEN or the context",
            403 => $"not allowed (403): {what}",
            503 => $"the server is unavailable (503): {what}{(e.RetryAfter is { } r ? $"; try again in {r.TotalSeconds:0} s" : "")}",
            _ => what,
        };
    }

    public static void Error(string message, IReadOnlyList<FieldError> errors)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
        // A single field error is often the message itself ("tenant: is required"): say it once, with its field.
        if (errors.Count == 1 && (message == errors[0].Message || message == $"{errors[0].Field}: {errors[0].Message}"))
        {
            console.MarkupLineInterpolated($"[red]error:[/] [yellow]{errors[0].Field}[/]: {errors[0].Message}");
            return;
        }
        console.MarkupLineInterpolated($"[red]error:[/] {message}");
        foreach (var e in errors) console.MarkupLineInterpolated($"  [yellow]{e.Field}[/]: {e.Message}");
    }
}
