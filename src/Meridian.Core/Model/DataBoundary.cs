namespace Meridian.Core.Model;

/// <summary>A named set of countries whose data must stay inside it, such as the EU.</summary>
public sealed record DataBoundary(string Id, string Name, IReadOnlyList<string> Countries) : IResource
{
    public bool Contains(string country) => Countries.Contains(country, StringComparer.Ordinal);
}
