using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Meridian.Server;

/// <summary>Where <see cref="ServerOptions"/> come from, lowest first: defaults, ./appsettings.json, the file named by
/// --config, environment variables (MERIDIAN__PLACEMENT__GPURATIO=2, or Meridian__Placement__GpuRatio), then the
/// command's own flags. Everything is under the "Meridian" section; docs/configuration.md lists every key. An unknown
/// key or a value of the wrong type is refused naming the key, and <see cref="ServerOptions.Validate"/> checks ranges.</summary>
public static class ServerConfiguration
{
    public const string Section = "Meridian";

    /// <summary>The configuration the server reads (its "Logging" section configures logs as in any .NET service).</summary>
    public static IConfigurationRoot Build(string? file, IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var builder = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath("appsettings.json"), optional: true, reloadOnChange: false);
        if (file is not null)
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path)) throw new ConfigurationException("--config", $"no configuration file at {path}");
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        try
        {
            return builder.AddEnvironmentVariables().AddInMemoryCollection(overrides).Build();
        }
        catch (InvalidDataException e)
        {
            throw new ConfigurationException(file ?? "appsettings.json", $"is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Binds the "Meridian" section onto the defaults and validates the result.</summary>
    public static ServerOptions Bind(IConfiguration configuration)
    {
        var options = new ServerOptions();
        CheckKeys(configuration.GetSection(Section), typeof(ServerOptions));
        try
        {
            configuration.GetSection(Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationException(KeyIn(e.Message), e.Message.Replace("'", "", StringComparison.Ordinal));
        }
        ThrowIfInvalid(options);
        return options;
    }

    /// <summary>Refuses options with a value out of range, naming its key.</summary>
    public static void ThrowIfInvalid(ServerOptions options)
    {
        foreach (var (key, message) in options.Validate()) throw new ConfigurationException($"{Section}:{key}", message);
    }

    /// <summary>The effective options as JSON, with secrets (a password in the database URL) redacted.</summary>
    public static JsonObject Show(ServerOptions options)
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(options, ShowJson)!.AsObject();
        node["DatabasePath"] = Redact(options.DatabasePath);
        return new JsonObject { [Section] = node };
    }

    private static readonly System.Text.Json.JsonSerializerOptions ShowJson = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static string Redact(string target)
    {
        if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':'))
            return target.Replace(uri.UserInfo, uri.UserInfo[..uri.UserInfo.IndexOf(':')] + ":***", StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Replace(target, "(?i)(password|pwd)=[^;]*", "$1=***");
    }

    /// <summary>Refuses a key that names no option, with its full path (the binder would name only the property).</summary>
    private static void CheckKeys(IConfigurationSection section, Type type)
    {
        if (type == typeof(string) || type.IsPrimitive || type == typeof(TimeSpan) || type.IsEnum || Nullable.GetUnderlyingType(type) is not null) return;
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var g && (g == typeof(List<>) || g == typeof(Dictionary<,>))) return;
        var properties = type.GetProperties().Where(p => p.CanWrite).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
                throw new ConfigurationException(child.Path, $"is not a setting; the settings here are {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))} (docs/configuration.md)");
            CheckKeys(child, property.PropertyType);
        }
    }

    private static string KeyIn(string message)
    {
        var at = message.IndexOf("'Meridian", StringComparison.OrdinalIgnoreCase);
        if (at < 0) return Section;
        var end = message.IndexOf('\'', at + 1);
        return end < 0 ? Section : message[(at + 1)..end];
    }
}

/// <summary>A configuration value that cannot be used; <see cref="Key"/> names it as configuration does (Meridian:Placement:GpuRatio).</summary>
public sealed class ConfigurationException(string key, string message) : Exception($"configuration {key}: {message}")
{
    public string Key { get; } = key;
}
