namespace Meridian.Storage.Changes;

/// <summary>A page of the change log, newest first.</summary>
/// <param name="BeforeSeq">Only entries older than this sequence number (the cursor).</param>
public sealed record ChangeQuery(string? Kind = null, string? Id = null, long? BeforeSeq = null, int Limit = 100, IReadOnlyList<string>? ExcludeKinds = null);
