using System.Text.Json;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;

namespace Meridian.Storage.Changes;

/// <summary>The changes that turn one world into another, in an order that keeps references valid:
/// deletions from the most dependent kind up, then creations and updates from the least dependent down.</summary>
public static class WorldDiff
{
    public static IReadOnlyList<Change> Between(World from, World to, string action)
    {
        var changes = new List<Change>();
        foreach (var kind in Kinds.All.Reverse())
        {
            foreach (var (item, _) in kind.All(from))
            {
                if (kind.Find(to, item.Id) is null) changes.Add(new Change(kind, item.Id, item, null, action));
            }
        }
        foreach (var kind in Kinds.All)
        {
            foreach (var (item, _) in kind.All(to))
            {
                var before = kind.Find(from, item.Id);
                if (before is null || !SameContent(before, item)) changes.Add(new Change(kind, item.Id, before, item, action));
            }
        }
        return changes;
    }

    public static bool SameContent(object a, object b) =>
        a.GetType() == b.GetType() &&
        JsonSerializer.Serialize(a, a.GetType(), MeridianJson.Options) == JsonSerializer.Serialize(b, b.GetType(), MeridianJson.Options);
}
