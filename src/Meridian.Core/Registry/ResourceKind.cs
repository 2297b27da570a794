using Meridian.Core.Model;

namespace Meridian.Core.Registry;

/// <summary>What the registry knows of one kind of resource: its names and where it lives in a <see cref="World"/>.</summary>
public abstract class ResourceKind
{
    private protected ResourceKind(string name, string singular, Type type) => (Name, Singular, Type) = (name, singular, type);

    /// <summary>Plural name used in URLs, documents and the change log ("regions").</summary>
    public string Name { get; }

    public string Singular { get; }

    public Type Type { get; }

    public bool HasLifecycle => typeof(ILifecycleResource).IsAssignableFrom(Type);

    public abstract IResource? Find(World world, string id);

    public abstract World Put(World world, IResource item, long version);

    public abstract World Remove(World world, string id);

    public abstract IEnumerable<(IResource Value, long Version)> All(World world);

    public abstract long? VersionOf(World world, string id);
}

public sealed class ResourceKind<T> : ResourceKind where T : class, IResource
{
    private readonly Func<World, ResourceSet<T>> _get;
    private readonly Func<World, ResourceSet<T>, World> _set;

    internal ResourceKind(string name, string singular, Func<World, ResourceSet<T>> get, Func<World, ResourceSet<T>, World> set)
        : base(name, singular, typeof(T)) => (_get, _set) = (get, set);

    public ResourceSet<T> Of(World world) => _get(world);

    public override IResource? Find(World world, string id) => _get(world).Find(id);

    public override World Put(World world, IResource item, long version) => _set(world, _get(world).Put((T)item, version));

    public override World Remove(World world, string id) => _set(world, _get(world).Remove(id));

    public override IEnumerable<(IResource Value, long Version)> All(World world) =>
        _get(world).Select(v => ((IResource)v.Value, v.Version));

    public override long? VersionOf(World world, string id) => _get(world).Get(id)?.Version;
}

/// <summary>The kinds of resource, in the order a world is built: a kind refers only to kinds before it.</summary>
public static class Kinds
{
    public static readonly ResourceKind<DataBoundary> Boundaries = new("boundaries", "boundary", w => w.Boundaries, (w, s) => w with { Boundaries = s });
    public static readonly ResourceKind<Service> Services = new("services", "service", w => w.Services, (w, s) => w with { Services = s });
    public static readonly ResourceKind<Region> Regions = new("regions", "region", w => w.Regions, (w, s) => w with { Regions = s });
    public static readonly ResourceKind<Zone> Zones = new("zones", "zone", w => w.Zones, (w, s) => w with { Zones = s });
    public static readonly ResourceKind<Facility> Facilities = new("facilities", "facility", w => w.Facilities, (w, s) => w with { Facilities = s });
    public static readonly ResourceKind<Host> Hosts = new("hosts", "host", w => w.Hosts, (w, s) => w with { Hosts = s });

    public static readonly IReadOnlyList<ResourceKind> All = [Boundaries, Services, Regions, Zones, Facilities, Hosts];

    public static ResourceKind? Named(string name) => All.FirstOrDefault(k => k.Name == name);
}
