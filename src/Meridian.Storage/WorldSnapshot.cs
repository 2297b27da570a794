using Meridian.Core.Registry;

namespace Meridian.Storage;

/// <summary>A world as loaded from the store, with the store generation it reflects.</summary>
public sealed record WorldSnapshot(World World, long Generation);
