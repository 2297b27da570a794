using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;

namespace Meridian.Storage.Documents;

/// <summary>The whole-world document used for export and import:
/// <c>{"format": "meridian/world@1", "boundaries": [...], "services": [...], "regions": [...], "zones": [...], "facilities": [...], "hosts": [...]}</c>.</summary>
public static class WorldDocument
{
    public const string Format = "meridian/world@1";

    /// <summary>Nesting depth of a world document, JSON or YAML; the deepest resource needs about eight levels.</summary>
    public const int MaxDepth = 32;

    public static string Write(World world, DocumentFormat format)
    {
        var root = new JsonObject { ["format"] = Format };
        foreach (var kind in Kinds.All)
        {
            var items = kind.All(world).Select(v => v.Value).ToArray();
            root[kind.Name] = JsonSerializer.SerializeToNode(items.Cast<object>().ToArray(), MeridianJson.Options);
        }
        return format == DocumentFormat.Json ? root.ToJsonString(MeridianJson.Indented) : YamlJson.Write(root);
    }

    /// <summary>Parses and checks a whole world. Every problem found is returned with its location
    /// (such as "regions[3].location.latitude"); the world is null when there is any.</summary>
    public static (World? World, IReadOnlyList<FieldError> Errors) Read(string text, DocumentFormat format)
    {
        JsonNode? root;
        if (format == DocumentFormat.Yaml)
        {
            root = YamlJson.Parse(text, MaxDepth, out var yamlError);
            if (yamlError is not null) return (null, [yamlError]);
        }
        else
        {
            try
            {
                root = StrictJson.Parse(text, MaxDepth);
            }
            catch (RegistryException e)
            {
                return (null, e.Errors);
            }
        }
        return Read(root);
    }

    public static (World? World, IReadOnlyList<FieldError> Errors) Read(JsonNode? root)
    {
        var errors = new List<FieldError>();
        if (root is not JsonObject obj) return (null, [new FieldError("", "a world document is an object")]);
        if (StrictJson.Check(root, "") is { } malformed) return (null, [malformed]);

        foreach (var (key, value) in obj)
        {
            if (key == "format")
            {
                if (value?.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != Format)
                    errors.Add(new("format", $"must be \"{Format}\""));
            }
            else if (Kinds.Named(key) is null)
            {
                errors.Add(new(key, $"is not a known section (expected format, {string.Join(", ", Kinds.All.Select(k => k.Name))})"));
            }
        }

        var items = new List<(ResourceKind Kind, int Index, IResource Item)>();
        foreach (var kind in Kinds.All)
        {
            if (obj[kind.Name] is not { } section) continue;
            if (section is not JsonArray array)
            {
                errors.Add(new(kind.Name, "must be a list"));
                continue;
            }
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                var prefix = $"{kind.Name}[{i}]";
                IResource? item;
                try
                {
                    item = array[i]?.Deserialize(kind.Type, MeridianJson.Options) as IResource;
                }
                catch (JsonException e)
                {
                    errors.Add(JsonErrors.Describe(e, array[i], kind.Type).Under(prefix));
                    continue;
                }
                if (item is null)
                {
                    errors.Add(new(prefix, "must be an object"));
                    continue;
                }
                if (seen.TryGetValue(item.Id, out var first))
                {
                    errors.Add(new($"{prefix}.id", $"duplicate id '{item.Id}' (also {kind.Name}[{first}])"));
                    continue;
                }
                seen[item.Id] = i;
                items.Add((kind, i, item));
            }
        }

        var world = World.Empty;
        foreach (var (kind, _, item) in items) world = kind.Put(world, item, 1);
        foreach (var (kind, index, item) in items)
        {
            errors.AddRange(Rules.Check(item, world).Select(e => e.Under($"{kind.Name}[{index}]")));
        }
        return errors.Count == 0 ? (world, errors) : (null, errors);
    }

    /// <summary>Guesses the format from a file name or media type; JSON unless it says YAML.</summary>
    public static DocumentFormat FormatOf(string? nameOrMediaType) =>
        nameOrMediaType is not null && (nameOrMediaType.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ||
                                        nameOrMediaType.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
                                        nameOrMediaType.Contains("yaml", StringComparison.OrdinalIgnoreCase))
            ? DocumentFormat.Yaml
            : DocumentFormat.Json;
}
