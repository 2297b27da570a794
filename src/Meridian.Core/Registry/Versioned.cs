namespace Meridian.Core.Registry;

/// <summary>A resource with the version its store gave it; the version is the resource's ETag.</summary>
public readonly record struct Versioned<T>(T Value, long Version);
