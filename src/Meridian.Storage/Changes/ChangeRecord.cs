using System.Text.Json.Nodes;

namespace Meridian.Storage.Changes;

/// <summary>An entry of the change log: who changed what, when, and the resource before and after.</summary>
public sealed record ChangeRecord(long Seq, DateTimeOffset At, string Actor, string Action, string Kind, string Id, long Generation, JsonNode? Before, JsonNode? After);
