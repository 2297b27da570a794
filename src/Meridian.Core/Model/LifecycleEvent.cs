namespace Meridian.Core.Model;

/// <summary>One dated step in a lifecycle: from <paramref name="On"/> the resource is <paramref name="Status"/>.</summary>
/// <param name="Estimated">True where the date is not published and was estimated.</param>
public sealed record LifecycleEvent(LifecycleStatus Status, DateOnly On, bool Estimated = false, string? Note = null);
