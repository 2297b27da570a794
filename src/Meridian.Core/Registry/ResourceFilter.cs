using System.Globalization;
using Meridian.Core.Geo;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Validation;

namespace Meridian.Core.Registry;

/// <summary>Filters of a list of resources, shared by the API's query string and the CLI's options.
/// Unknown filters and bad values are refused naming the filter, so a typo never silently returns everything.</summary>
public sealed class ResourceFilter
{
    private static readonly Dictionary<string, string[]> FiltersByKind = new()
    {
        ["boundaries"] = ["country"],
        ["services"] = ["region", "kind"],
        ["regions"] = ["country", "status", "boundary", "asOf", "service"],
        ["zones"] = ["region", "country", "status", "boundary", "asOf"],
        ["facilities"] = ["region", "zone", "country", "status", "boundary", "asOf", "ownership"],
        ["hosts"] = ["region", "zone", "facility", "country", "boundary", "status", "asOf", "gpuModel"],
    };

    public static IReadOnlyList<string> FiltersOf(ResourceKind kind) => FiltersByKind[kind.Name];

    /// <summary>The date asked for, if any.</summary>
    public DateOnly? AsOf { get; private init; }

    /// <summary>The date statuses are read on: asOf, else today.</summary>
    public DateOnly ViewDate { get; private init; }

    private string? _country, _region, _zone, _facility, _service, _gpuModel;
    private DataBoundary? _boundary;
    private HashSet<LifecycleStatus>? _statuses;
    private Ownership? _ownership;
    private ServiceKind? _serviceKind;

    /// <param name="values">Filter name to value; empty values are ignored.</param>
    public static ResourceFilter Parse(ResourceKind kind, IReadOnlyDictionary<string, string?> values, World world, DateOnly today)
    {
        var allowed = FiltersByKind[kind.Name];
        foreach (var key in values.Keys)
        {
            if (!allowed.Contains(key)) throw Bad(key, $"is not a filter of {kind.Name}; the filters are {string.Join(", ", allowed)}");
        }
        string? Get(string name) => values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var asOf = Get("asOf") is { } a ? ParseDate("asOf", a) : (DateOnly?)null;
        return new ResourceFilter
        {
            AsOf = asOf,
            ViewDate = asOf ?? today,
            _country = Get("country") is { } country ? CheckCountry(country) : null,
            _region = Get("region") is { } r ? Exists("region", r, world.Regions.Contains(r)) : null,
            _zone = Get("zone") is { } z ? Exists("zone", z, world.Zones.Contains(z)) : null,
            _facility = Get("facility") is { } f ? Exists("facility", f, world.Facilities.Contains(f)) : null,
            _service = Get("service") is { } s ? Exists("service", s, world.Services.Contains(s)) : null,
            _gpuModel = Get("gpuModel"),
            _boundary = Get("boundary") is { } b
                ? world.Boundaries.Find(b) ?? throw Bad("boundary", $"no data boundary '{b}'; known: {string.Join(", ", world.Boundaries.Values.Select(x => x.Id))}")
                : null,
            _ownership = Get("ownership") is { } o ? ParseEnum<Ownership>("ownership", o) : null,
            _serviceKind = Get("kind") is { } k ? ParseEnum<ServiceKind>("kind", k) : null,
            _statuses = ParseStatuses(Get("status"), asOf is not null),
        };
    }

    public bool Matches(IResource item, World world)
    {
        switch (item)
        {
            case DataBoundary b:
                return _country is null || b.Contains(_country);
            case Service s:
                return (_serviceKind is null || s.Kind == _serviceKind) &&
                       (_region is null || world.Regions.Find(_region)!.Services.Contains(s.Id));
            case Host h when _gpuModel is not null && !string.Equals(h.GpuModel, _gpuModel, StringComparison.OrdinalIgnoreCase):
                return false;
            case Region r when _service is not null && !r.Services.Contains(_service):
                return false;
            case Facility f when _ownership is not null && f.Ownership != _ownership:
                return false;
        }
        var facets = Facets.Of(item, world);
        if (_country is not null && facets.Country != _country) return false;
        if (_boundary is not null && (facets.Country is null || !_boundary.Contains(facets.Country))) return false;
        if (_region is not null && facets.RegionId != _region) return false;
        if (_zone is not null && facets.ZoneId != _zone) return false;
        if (_facility is not null && facets.FacilityId != _facility) return false;
        if (facets.History is { } history)
        {
            var status = LifecycleRules.StatusOn(history, ViewDate);
            // On a given date, a resource that did not exist yet is not part of that footprint.
            if (AsOf is not null && status is null) return false;
            if (_statuses is not null && (status is null || !_statuses.Contains(status.Value))) return false;
        }
        return true;
    }

    public static DateOnly ParseDate(string field, string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw Bad(field, $"'{value}' is not a date in the form YYYY-MM-DD");

    public static T ParseEnum<T>(string field, string value) where T : struct, Enum =>
        !value.Any(char.IsDigit) && Enum.TryParse<T>(value, ignoreCase: true, out var v) && Enum.IsDefined(v)
            ? v
            : throw Bad(field, $"'{value}' is not one of {string.Join(", ", Enum.GetNames<T>())}");

    private static string CheckCountry(string value) =>
        Countries.IsKnown(value.ToUpperInvariant()) ? value.ToUpperInvariant() : throw Bad("country", $"'{value}' is not an ISO 3166-1 alpha-2 country code");

    private static string Exists(string field, string id, bool exists) => exists ? id : throw Bad(field, $"no {field} '{id}'");

    /// <summary>Comma-separated statuses, or "any". With asOf and no status: the footprint in service (Live, Draining).</summary>
    private static HashSet<LifecycleStatus>? ParseStatuses(string? value, bool hasAsOf)
    {
        if (value is null) return hasAsOf ? [.. LifecycleRules.InService] : null;
        if (value.Equals("any", StringComparison.OrdinalIgnoreCase)) return null;
        return value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => ParseEnum<LifecycleStatus>("status", s)).ToHashSet();
    }

    private static RegistryException Bad(string field, string message) => RegistryException.Malformed(new FieldError(field, message));
}
