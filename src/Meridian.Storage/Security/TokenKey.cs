using System.Security.Cryptography;
using System.Text;

namespace Meridian.Storage.Security;

/// <summary>The key of the tokens' keyed hash (HMAC-SHA256). It lives outside the database (a file readable only by
/// its owner, beside the database by default), so a copy of the database alone cannot be used to test guesses.</summary>
public sealed class TokenKey
{
    private readonly byte[] _key;

    private TokenKey(byte[] key) => _key = key;

    public static TokenKey FromBytes(byte[] key) =>
        key.Length >= 32 ? new TokenKey(key) : throw new ArgumentException("a token key has at least 32 bytes", nameof(key));

    /// <summary>The key file for a database: meridian.db -> meridian.token-key.</summary>
    /// <summary>Beside a SQLite file; ./meridian.token-key for PostgreSQL (every replica must be given the same file).</summary>
    public static string DefaultPath(string database) => Data.Database.IsPostgres(database)
        ? Path.GetFullPath("meridian.token-key")
        : Path.ChangeExtension(Path.GetFullPath(database), ".token-key");

    /// <summary>Reads the key file, creating it (owner read/write only) with a new random key when it is missing.</summary>
    public static TokenKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            try
            {
                OwnerOnly.WriteNew(path, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant() + "\n");
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: read theirs.
            }
        }
        OwnerOnly.Check(path, "token key");
        var text = File.ReadAllText(path).Trim();
        try
        {
            return FromBytes(Convert.FromHexString(text));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new IOException($"the token key {path} is not 64 or more hexadecimal digits");
        }
    }

    public byte[] Hash(string token) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(token));
}

/// <summary>Files that hold secrets: created readable and writable by their owner only, and refused when others may read them.</summary>
public static class OwnerOnly
{
    public static void WriteNew(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(text);
    }

    public static void Check(string path, string what)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new IOException($"the {what} {path} may be read or written by others; make it readable by its owner only (chmod 600)");
    }
}
