using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Meridian.Storage.Changes;

namespace Meridian.Server.Apis.Contracts;

/// <summary>One entry of the change log: who did what to which resource, with the resource before and after.</summary>
public sealed record ChangeView(
    long Seq, DateTimeOffset At, string Actor, string Action, string Kind, string Id, long Generation,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonNode? Before,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonNode? After)
{
    public static ChangeView Of(ChangeRecord r) => new(r.Seq, r.At, r.Actor, r.Action, r.Kind, r.Id, r.Generation, r.Before, r.After);
}
