using System.Text.Json;
using System.Text.Json.Serialization;

namespace Meridian.Cli.Commands;

/// <summary>The CLI's config file, as kubectl's kubeconfig: named contexts (a server and its token) and the one in use.
/// At $MERIDIAN_CONFIG, else $XDG_CONFIG_HOME/meridian/config.json, else ~/.config/meridian/config.json; written
/// readable only by its owner, because it holds tokens.</summary>
internal sealed class ClientConfig
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string? CurrentContext { get; set; }

    public SortedDictionary<string, ClientContext> Contexts { get; set; } = new(StringComparer.Ordinal);

    [JsonIgnore]
    public string Path { get; private set; } = "";

    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable("MERIDIAN_CONFIG") is { Length: > 0 } explicitPath) return explicitPath;
        var home = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return System.IO.Path.Combine(home, "meridian", "config.json");
    }

    /// <summary>The config at <paramref name="path"/>; an empty one when there is no file. A file that is not a config
    /// is refused naming it, never overwritten.</summary>
    public static ClientConfig Load(string? path = null)
    {
        path ??= DefaultPath();
        if (!File.Exists(path)) return new ClientConfig { Path = path };
        try
        {
            var config = JsonSerializer.Deserialize<ClientConfig>(File.ReadAllText(path), Options) ?? new ClientConfig();
            config.Path = path;
            config.Contexts = new SortedDictionary<string, ClientContext>(config.Contexts ?? new(), StringComparer.Ordinal);
            return config;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path} is not a Meridian config file ({e.Message}); fix or remove it");
        }
    }

    public void Save()
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(dir);
        var temp = Path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(JsonSerializer.Serialize(this, Options));
        File.Move(temp, Path, overwrite: true);
    }
}

/// <summary>A server and how to authenticate to it.</summary>
internal sealed record ClientContext(string Server, string? Token = null, string? TokenFile = null);
