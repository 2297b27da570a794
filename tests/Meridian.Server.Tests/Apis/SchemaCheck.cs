using System.Text.Json;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Apis;

/// <summary>Checks a JSON answer against a schema of the server's own OpenAPI document: types, enums, required members,
/// and no member the schema does not declare. Enough of JSON Schema for what ASP.NET Core writes (ref, type, oneOf,
/// properties, required, items, additionalProperties, enum); a keyword it does not know fails, so it never passes blind.</summary>
public sealed class SchemaCheck(JsonObject document)
{
    private static readonly HashSet<string> Known =
        ["$ref", "type", "oneOf", "properties", "required", "items", "additionalProperties", "enum", "format", "pattern", "description", "default", "readOnly", "minimum", "maximum", "minLength", "maxLength", "nullable"];

    public List<string> Problems { get; } = [];

    public void Check(JsonNode? value, JsonNode schema, string at)
    {
        var s = schema.AsObject();
        foreach (var (key, _) in s)
        {
            if (!Known.Contains(key)) Problems.Add($"{at}: the checker does not know schema keyword '{key}'");
        }
        if (s["$ref"] is { } r)
        {
            var name = r.GetValue<string>().Split('/')[^1];
            Check(value, document["components"]!["schemas"]![name] ?? throw new InvalidOperationException($"no schema {name}"), at);
            return;
        }
        if (s["oneOf"] is JsonArray options)
        {
            var tries = options.Select(o =>
            {
                var inner = new SchemaCheck(document);
                inner.Check(value, o!, at);
                return inner.Problems;
            }).ToArray();
            if (tries.All(t => t.Count > 0))
                Problems.Add($"{at}: matches none of oneOf {options.ToJsonString()}; nearest: {string.Join("; ", tries.MinBy(t => t.Count)!)}");
            return;
        }
        if (s["type"] is { } type)
        {
            var types = type is JsonArray a ? a.Select(t => t!.GetValue<string>()).ToArray() : [type.GetValue<string>()];
            var kind = KindOf(value);
            if (!types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
            {
                Problems.Add($"{at}: is {kind}, the schema says {string.Join(" or ", types)}");
                return;
            }
        }
        if (s["enum"] is JsonArray allowed && value is not null && !allowed.Any(e => JsonNode.DeepEquals(e, value)))
            Problems.Add($"{at}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        switch (value)
        {
            case JsonObject o:
                var properties = s["properties"]?.AsObject();
                foreach (var required in s["required"]?.AsArray() ?? [])
                {
                    if (!o.ContainsKey(required!.GetValue<string>())) Problems.Add($"{at}: lacks required member '{required}'");
                }
                foreach (var (name, member) in o)
                {
                    if (properties?[name] is { } p) Check(member, p, $"{at}.{name}");
                    else if (s["additionalProperties"] is JsonObject extra) Check(member, extra, $"{at}.{name}");
                    else if (properties is not null || s["additionalProperties"] is JsonValue) Problems.Add($"{at}: has '{name}', which the schema does not declare");
                }
                break;
            case JsonArray list when s["items"] is { } items:
                for (var i = 0; i < list.Count; i++) Check(list[i], items, $"{at}[{i}]");
                break;
        }
    }

    private static string KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.GetValue<JsonElement>().TryGetInt64(out _) ? "integer" : "number",
        _ => "unknown",
    };
}
