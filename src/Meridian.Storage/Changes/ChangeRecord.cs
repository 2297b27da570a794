using System.Text.Json.Nodes;

namespace Meridian.Storage.Changes;

/// <summary>An entry of the change log: who changed what, when, and the resource before and after.</summary>
public sealed record ChangeRecord(long Seq, DateTimeOffset At, string Actor, string Action, string Kind, string Id, long Generation, JsonNode? Before, JsonNode? After)
{
    /// <summary>The host and tenant generations the write set (JSON), for replicas catching up; not part of the API.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Claims { get; init; }
}
