using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Meridian.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Meridian.Storage.Documents;

/// <summary>Converts between YAML and JSON trees, so YAML documents go through the same JSON
/// model and validation as JSON ones. Plain scalars are typed (null, booleans, numbers); quoted ones are strings.</summary>
public static partial class YamlJson
{
    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();

    /// <summary>Parses YAML text; on malformed YAML returns null and one error naming the line and column.
    /// The tree is built from the parser's events with an explicit stack, so depth is checked before anything deep is
    /// built and no input can overflow the call stack; anchors and aliases are refused (a world document never needs
    /// them, and nested aliases expand exponentially), as are tags, complex keys and a second document.</summary>
    public static JsonNode? Parse(string text, int maxDepth, out FieldError? error)
    {
        error = null;
        try
        {
            return Build(new Parser(new StringReader(text)), maxDepth);
        }
        catch (YamlException e)
        {
            error = new FieldError($"line {e.Start.Line}, column {e.Start.Column}", e.InnerException?.Message ?? e.Message);
            return null;
        }
    }

    /// <summary>A container being filled, and for a mapping the key waiting for its value.</summary>
    private sealed class Frame(JsonNode node)
    {
        public JsonNode Node { get; } = node;
        public string? Key { get; set; }
    }

    private static JsonNode? Build(IParser parser, int maxDepth)
    {
        var stack = new Stack<Frame>();
        JsonNode? root = null;
        var documents = 0;
        var done = false;
        while (parser.MoveNext())
        {
            var e = parser.Current!;
            if (e is NodeEvent { Anchor.IsEmpty: false } || e is AnchorAlias)
                throw new YamlException(e.Start, e.End, "anchors and aliases are not allowed in a world document");
            if (e is NodeEvent { Tag.IsEmpty: false } tagged && !tagged.Tag.Value.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal))
                throw new YamlException(e.Start, e.End, $"the tag {tagged.Tag.Value} is not allowed");
            switch (e)
            {
                case DocumentStart when ++documents > 1:
                    throw new YamlException(e.Start, e.End, "a world document is one YAML document");
                case MappingStart or SequenceStart:
                    if (stack.Count >= maxDepth) throw new YamlException(e.Start, e.End, $"nested deeper than {maxDepth} levels");
                    var frame = new Frame(e is MappingStart ? new JsonObject() : new JsonArray());
                    Add(stack, frame.Node, e, ref root, ref done);
                    stack.Push(frame);
                    break;
                case MappingEnd or SequenceEnd:
                    stack.Pop();
                    break;
                case YamlDotNet.Core.Events.Scalar scalar:
                    if (stack.TryPeek(out var top) && top.Node is JsonObject && top.Key is null)
                    {
                        var key = scalar.Value;
                        if (((JsonObject)top.Node).ContainsKey(key)) throw new YamlException(e.Start, e.End, $"duplicate key '{key}'");
                        top.Key = key;
                    }
                    else
                    {
                        Add(stack, Value(scalar), e, ref root, ref done);
                    }
                    break;
            }
        }
        return root;
    }

    private static void Add(Stack<Frame> stack, JsonNode? node, ParsingEvent e, ref JsonNode? root, ref bool done)
    {
        if (!stack.TryPeek(out var top))
        {
            if (done) throw new YamlException(e.Start, e.End, "a world document is one YAML document");
            (root, done) = (node, true);
            return;
        }
        if (top.Node is JsonArray array)
        {
            array.Add(node);
            return;
        }
        if (top.Key is null) throw new YamlException(e.Start, e.End, "a mapping key must be a plain value");
        ((JsonObject)top.Node)[top.Key] = node;
        top.Key = null;
    }

    private static JsonNode? Value(YamlDotNet.Core.Events.Scalar scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any ? Plain(scalar.Value) : JsonValue.Create(scalar.Value);

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
