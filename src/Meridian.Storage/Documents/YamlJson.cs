using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Meridian.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Meridian.Storage.Documents;

/// <summary>Converts between YAML and JSON trees, so YAML documents go through the same JSON
/// model and validation as JSON ones. Plain scalars are typed (null, booleans, numbers); quoted ones are strings.</summary>
public static partial class YamlJson
{
    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();

    /// <summary>Parses YAML text; on malformed YAML returns null and one error naming the line and column.</summary>
    public static JsonNode? Parse(string text, out FieldError? error)
    {
        error = null;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
        }
        catch (YamlException e)
        {
            error = new FieldError($"line {e.Start.Line}, column {e.Start.Column}", e.InnerException?.Message ?? e.Message);
            return null;
        }
    }

    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode s ? s.Value ?? "" : throw new YamlException(key.Start, key.End, "a mapping key must be a plain value");
                    if (obj.ContainsKey(name)) throw new YamlException(key.Start, key.End, $"duplicate key '{name}'");
                    obj[name] = ToJson(value);
                }
                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                foreach (var item in seq.Children) arr.Add(ToJson(item));
                return arr;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, "unsupported YAML node");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any ? Plain(scalar.Value ?? "") : JsonValue.Create(scalar.Value ?? "");

    private static JsonNode? Plain(string v)
    {
        if (v is "" or "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (Integer().IsMatch(v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return JsonValue.Create(l);
        if (Number().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    /// <summary>Writes a JSON tree as block-style YAML.</summary>
    public static string Write(JsonNode? node)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    emitter.Emit(new Scalar(key));
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray arr:
                emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var item in arr) Emit(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                var text = value.ToJsonString();
                if (value.GetValueKind() == System.Text.Json.JsonValueKind.String)
                {
                    var s = value.GetValue<string>();
                    // Quote strings that would read back as another type.
                    var plain = s.Length > 0 && Plain(s) is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String;
                    emitter.Emit(new Scalar(null, null, s, plain ? ScalarStyle.Any : ScalarStyle.DoubleQuoted, true, true));
                }
                else
                {
                    emitter.Emit(new Scalar(null, null, text, ScalarStyle.Plain, true, false));
                }
                break;
        }
    }
}
