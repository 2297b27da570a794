namespace Meridian.Core.Model;

/// <summary>Anything the registry stores under an id.</summary>
public interface IResource
{
    string Id { get; }
}

/// <summary>A resource with a dated lifecycle (regions, zones, facilities).</summary>
public interface ILifecycleResource : IResource
{
    IReadOnlyList<LifecycleEvent> History { get; }
}
