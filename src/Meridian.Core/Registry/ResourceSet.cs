using System.Collections;
using System.Collections.Immutable;
using Meridian.Core.Model;

namespace Meridian.Core.Registry;

/// <summary>An immutable set of resources of one kind, ordered by id (ordinal), each with its version.</summary>
public sealed class ResourceSet<T> : IReadOnlyCollection<Versioned<T>> where T : class, IResource
{
    public static readonly ResourceSet<T> Empty = new(ImmutableSortedDictionary.Create<string, Versioned<T>>(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, Versioned<T>> _items;

    private ResourceSet(ImmutableSortedDictionary<string, Versioned<T>> items) => _items = items;

    public static ResourceSet<T> From(IEnumerable<T> items, long version = 1) =>
        new(items.ToImmutableSortedDictionary(i => i.Id, i => new Versioned<T>(i, version), StringComparer.Ordinal));

    public int Count => _items.Count;

    public T? Find(string id) => _items.TryGetValue(id, out var v) ? v.Value : null;

    public Versioned<T>? Get(string id) => _items.TryGetValue(id, out var v) ? v : null;

    public bool Contains(string id) => _items.ContainsKey(id);

    public IEnumerable<T> Values => _items.Values.Select(v => v.Value);

    public ResourceSet<T> Put(T item, long version) => new(_items.SetItem(item.Id, new Versioned<T>(item, version)));

    public ResourceSet<T> Remove(string id) => new(_items.Remove(id));

    public IEnumerator<Versioned<T>> GetEnumerator() => _items.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
