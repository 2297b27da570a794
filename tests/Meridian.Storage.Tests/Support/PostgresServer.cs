using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Meridian.Storage.Tests;

/// <summary>A throwaway PostgreSQL cluster for the test run: initdb into a temporary directory, pg_ctl start on a free
/// loopback port, pg_ctl stop when the process exits. Debian's postgresql package provides the binaries (./test.sh
/// installs it when missing). Run as root, the cluster belongs to the postgres user, as PostgreSQL refuses root.</summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> Shared = new(() => new PostgresServer());
    private readonly string _dir;
    private readonly string _bin;
    private readonly bool _asPostgres;

    public static PostgresServer Instance => Shared.Value;

    public int Port { get; }

    /// <summary>A URL for the maintenance database, to create others.</summary>
    public string AdminUrl => $"postgres://meridian@127.0.0.1:{Port}/postgres";

    /// <summary>A cluster of its own, for a test that stops and starts it.</summary>
    public static PostgresServer StartNew() => new();

    private PostgresServer()
    {
        _bin = FindBin() ?? throw new InvalidOperationException("PostgreSQL is not installed (no initdb); ./test.sh installs Debian's postgresql package");
        _asPostgres = Environment.UserName == "root";
        _dir = Directory.CreateTempSubdirectory("meridian-pg-").FullName;
        var data = Path.Combine(_dir, "data");
        if (_asPostgres) Run("chown", "-R", "postgres:postgres", _dir);
        Pg("initdb", "-D", data, "-U", "meridian", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync");
        Port = FreePort();
        // fsync off: the cluster lives for one test run; durability across power loss is not what the tests check.
        Pg("pg_ctl", "-D", data, "-l", Path.Combine(_dir, "log"), "-w", "-t", "60", "start",
            "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_dir} -c fsync=off -c max_connections=300");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>Stops the server for a while (pg_ctl stop -m fast), as an outage.</summary>
    public void Stop(bool removeFiles = true)
    {
        try
        {
            Pg("pg_ctl", "-D", Path.Combine(_dir, "data"), "-m", "fast", "-w", "stop");
        }
        catch (InvalidOperationException) { }
        if (removeFiles)
        {
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Starts the server again on the same port after <see cref="Stop"/>(removeFiles: false).</summary>
    public void Start() =>
        Pg("pg_ctl", "-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "log"), "-w", "-t", "60", "start",
            "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_dir} -c fsync=off -c max_connections=300");

    /// <summary>A new, empty database; returns its URL.</summary>
    public string CreateDatabase()
    {
        var name = $"t_{Guid.NewGuid():N}";
        using var c = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=meridian;Database=postgres;Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"CREATE DATABASE {name}";
        cmd.ExecuteNonQuery();
        return $"postgres://meridian@127.0.0.1:{Port}/{name}";
    }

    public void DropDatabase(string url)
    {
        var name = url[(url.LastIndexOf('/') + 1)..];
        Npgsql.NpgsqlConnection.ClearAllPools();
        using var c = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=meridian;Database=postgres;Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
        cmd.ExecuteNonQuery();
    }

    private void Pg(string tool, params string[] args)
    {
        var path = Path.Combine(_bin, tool);
        if (_asPostgres) Run("runuser", ["-u", "postgres", "--", path, .. args]);
        else Run(path, args);
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {error}{output.Result}");
    }

    private static string? FindBin()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
                return Path.GetDirectoryName(new FileInfo(Path.Combine(dir, "initdb")).ResolveLinkTarget(true)?.FullName) ?? dir;
        }
        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
