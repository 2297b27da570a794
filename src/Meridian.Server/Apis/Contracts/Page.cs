using System.Text.Json.Serialization;

namespace Meridian.Server.Apis.Contracts;

/// <summary>One page of a list: its items, and the URL of the next page, or null on the last one.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Next);
