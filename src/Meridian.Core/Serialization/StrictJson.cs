using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Validation;

namespace Meridian.Core.Serialization;

/// <summary>Parses untrusted JSON the one strict way: bounded depth, no duplicate keys, no lone surrogates in strings
/// or keys, no nulls inside lists. What it refuses is a <see cref="ProblemKind.Malformed"/> error naming the field, so
/// nothing deeper in Meridian ever meets such a tree.</summary>
public static class StrictJson
{
    /// <summary>Nesting depth of request bodies; Meridian's deepest resource is about six levels.</summary>
    public const int MaxDepth = 32;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="RegistryException"/> (400) naming the field at fault.</summary>
    public static JsonNode? Parse(string text, int maxDepth = MaxDepth)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw RegistryException.Malformed(Describe(e));
        }
        catch (InvalidOperationException)
        {
            // The duplicate-key check reads every name as a string, which a lone surrogate escape cannot be.
            throw RegistryException.Malformed(new FieldError("body", "has a field name that is not valid Unicode (a lone surrogate)"));
        }
        FieldError? error;
        try
        {
            error = Check(node, "");
        }
        catch (InvalidOperationException)
        {
            // A property name with a lone surrogate escape cannot even be read back as a string.
            error = new FieldError("body", "has a field name that is not valid Unicode (a lone surrogate)");
        }
        if (error is not null) throw RegistryException.Malformed(error);
        return node;
    }

    /// <summary>The first thing in a parsed tree that Meridian refuses, or null. Depth is bounded by the parser.</summary>
    public static FieldError? Check(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var field = path.Length == 0 ? key : $"{path}.{key}";
                    if (!WellFormed(key)) return new FieldError(Printable(field), "has a name with a lone surrogate (not valid Unicode)");
                    if (Check(value, field) is { } e) return e;
                }
                return null;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var field = $"{(path.Length == 0 ? "body" : path)}[{i}]";
                    if (array[i] is null) return new FieldError(field, "must not be null");
                    if (Check(array[i], field) is { } e) return e;
                }
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return WellFormed(Text(value)) ? null
                    : new FieldError(path.Length == 0 ? "body" : path, "is not valid Unicode (a lone surrogate)");
            default:
                return null;
        }
    }

    /// <summary>A string value's text, or null when it cannot be read as UTF-16 (a lone surrogate escape).</summary>
    private static string? Text(JsonValue value)
    {
        try
        {
            return value.GetValue<string>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool WellFormed(string? s)
    {
        if (s is null) return false;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    private static string Printable(string field) => WellFormed(field) ? field : "body";

    private static FieldError Describe(JsonException e)
    {
        var path = JsonErrors.Field(e.Path);
        var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
        var message = e.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase) ? $"repeats a field{where}; each field may appear once"
            // Not just "depth": a body cut short is "Expected depth to be zero at the end of the JSON payload".
            : e.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase) ? $"is nested deeper than {MaxDepth} levels{where}"
            : $"malformed JSON{where}";
        return new FieldError(path.Length > 0 ? path : "body", message);
    }
}
