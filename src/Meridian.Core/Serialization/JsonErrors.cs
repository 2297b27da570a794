using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Meridian.Core.Validation;

namespace Meridian.Core.Serialization;

/// <summary>Turns System.Text.Json's exceptions into a field name and a short message a user can act on.</summary>
public static partial class JsonErrors
{
    [GeneratedRegex(@"converted to ([\w.`\[\]]+)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"missing required properties(?: including)?: '([^']+)'")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"The JSON property '([^']+)' could not be mapped")]
    private static partial Regex Unmapped();

    [GeneratedRegex(@"(?:parameter|property) '([^']+)' .*(?:doesn't|does not) allow null")]
    private static partial Regex NullNotAllowed();

    /// <param name="type">The type being read, to name what was expected at the failing field.</param>
    public static FieldError Describe(JsonException e, JsonNode? root, Type type)
    {
        var path = Field(e.Path);
        var message = e.Message;

        if (MissingRequired().Match(message) is { Success: true } missing)
            return new(Join(path, Camel(missing.Groups[1].Value)), "is required");
        if (Unmapped().Match(message) is { Success: true } unmapped)
            return new(path.EndsWith(unmapped.Groups[1].Value, StringComparison.Ordinal) ? path : Join(path, unmapped.Groups[1].Value), "is not a known field");
        if (NullNotAllowed().Match(message) is { Success: true } isNull)
        {
            var name = Camel(isNull.Groups[1].Value);
            return new(path.EndsWith(name, StringComparison.Ordinal) ? path : Join(path, name), "must not be null");
        }
        if (ConvertedTo().IsMatch(message))
        {
            var value = Find(root, e.Path)?.ToJsonString() ?? "the value";
            return new(path, Expected(TypeAt(type, path), value));
        }
        if (e.LineNumber is { } line)
            return new(path.Length > 0 ? path : "body", $"malformed JSON at line {line + 1}, position {e.BytePositionInLine + 1}");
        return new(path.Length > 0 ? path : "body", "is not valid here");
    }

    private static string Expected(Type? type, string value)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (type is { IsEnum: true }) return $"{value} is not one of {string.Join(", ", Enum.GetNames(type))}";
        if (type == typeof(DateOnly)) return $"{value} is not a date (YYYY-MM-DD)";
        if (type == typeof(int) || type == typeof(long)) return $"{value} is not a whole number";
        if (type == typeof(double)) return $"{value} is not a number";
        if (type == typeof(bool)) return $"{value} is not true or false";
        if (type == typeof(string)) return $"{value} is not a string";
        if (type is not null && ElementType(type) is not null) return $"{value} is not a list";
        if (type is not null && type.IsClass) return $"{value} is not an object";
        return $"{value} has the wrong type";
    }

    /// <summary>The declared type at a field path such as "history[0].status", or null when the path leaves the model.</summary>
    private static Type? TypeAt(Type root, string path)
    {
        var type = root;
        foreach (Match m in Regex.Matches(path, @"([^.\[]+)|\[(\d+)\]"))
        {
            if (m.Groups[2].Success)
            {
                type = ElementType(type);
            }
            else
            {
                var property = type.GetProperties().FirstOrDefault(p => string.Equals(p.Name, m.Groups[1].Value, StringComparison.OrdinalIgnoreCase));
                type = property?.PropertyType;
            }
            if (type is null) return null;
        }
        return type;
    }

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null :
        type.IsArray ? type.GetElementType() :
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    /// <summary>"$.history[0].status" -> "history[0].status".</summary>
    public static string Field(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static JsonNode? Find(JsonNode? root, string? jsonPath)
    {
        if (root is null || string.IsNullOrEmpty(jsonPath)) return null;
        try
        {
            var node = root;
            foreach (Match m in Regex.Matches(jsonPath, @"\.([^.\[]+)|\[(\d+)\]|\['([^']+)'\]"))
            {
                node = m.Groups[2].Success ? node?.AsArray()[int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)]
                    : node?.AsObject()[m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value];
            }
            return node;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
