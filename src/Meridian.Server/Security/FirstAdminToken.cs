using Meridian.Storage.Security;

namespace Meridian.Server.Security;

/// <summary>Keeps the first start one command: when no usable admin token exists, one is created and written to a file
/// readable only by its owner. The token itself is never logged or printed; only the file's path is.</summary>
public static class FirstAdminToken
{
    public const string Name = "first-admin";

    /// <summary>Creates the token and writes it; returns the file's path, or null when an admin token already exists.</summary>
    public static async Task<string?> EnsureAsync(TokenStore tokens, string path, CancellationToken ct = default)
    {
        if (tokens.HasActiveAdmin()) return null;
        var (_, secret) = await tokens.CreateAsync(new TokenRequest(Name, Role.Admin), "meridian", ct);
        // A file from a token that has since been revoked or has expired is replaced.
        if (File.Exists(path)) File.Delete(path);
        OwnerOnly.WriteNew(path, secret + "\n");
        return path;
    }

    /// <summary>Beside a SQLite file; ./meridian.admin-token for PostgreSQL.</summary>
    public static string DefaultPath(string database) => Meridian.Storage.Data.Database.IsPostgres(database)
        ? Path.GetFullPath("meridian.admin-token")
        : Path.ChangeExtension(Path.GetFullPath(database), ".admin-token");
}

/// <summary>What the server did on its first start, for <c>meridian serve</c> to tell the operator.</summary>
public sealed record StartupNotes(string? AdminTokenFile);
