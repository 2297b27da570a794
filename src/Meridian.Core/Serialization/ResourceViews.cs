using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;

namespace Meridian.Core.Serialization;

/// <summary>How a resource looks in the API: its stored fields plus what is derived on the view date
/// (status; for regions, their zones with their status).</summary>
public static class ResourceViews
{
    public static JsonObject Of(IResource item, World world, DateOnly date)
    {
        var node = JsonSerializer.SerializeToNode(item, item.GetType(), MeridianJson.Options)!.AsObject();
        if (item is ILifecycleResource lr && LifecycleRules.StatusOn(lr.History, date) is { } status)
            node["status"] = status.ToString();
        if (item is Region region)
        {
            node["zones"] = new JsonArray(world.ZonesOf(region.Id)
                .Select(z => (Zone: z, Status: LifecycleRules.StatusOn(z.History, date)))
                .Where(z => z.Status is not null)
                .Select(z => (JsonNode)new JsonObject { ["id"] = z.Zone.Id, ["status"] = z.Status.ToString() })
                .ToArray());
        }
        return node;
    }
}
