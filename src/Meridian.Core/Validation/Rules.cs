using System.Text.RegularExpressions;
using Meridian.Core.Geo;
using Meridian.Core.Model;
using Meridian.Core.Lifecycle;
using Meridian.Core.Registry;
using static Meridian.Core.Lifecycle.LifecycleRules;

namespace Meridian.Core.Validation;

/// <summary>Checks one resource against the world it is to be part of. Field names are relative
/// to the resource, in the JSON spelling the API uses.</summary>
public static partial class Rules
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex LowerId();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex AnyCaseId();

    public static IEnumerable<FieldError> Check(IResource item, World world) => item switch
    {
        Region r => Check(r, world),
        Zone z => Check(z, world),
        Facility f => Check(f, world),
        Host h => Check(h, world),
        DataBoundary b => Check(b),
        Service s => Check(s, world),
        _ => throw new ArgumentOutOfRangeException(nameof(item), item.GetType().Name, "not a registry resource"),
    };

    private static IEnumerable<FieldError> Check(Region r, World world)
    {
        foreach (var e in Id(r.Id, LowerId())) yield return e;
        foreach (var e in Text("name", r.Name)) yield return e;
        foreach (var e in Text("city", r.City)) yield return e;
        foreach (var e in Country("country", r.Country)) yield return e;
        foreach (var e in Location(r.Location)) yield return e;
        foreach (var e in History(r.History)) yield return e;
        for (var i = 0; i < r.Services.Count; i++)
        {
            if (!world.Services.Contains(r.Services[i]))
                yield return new($"services[{i}]", $"no service '{r.Services[i]}'");
        }
        if (r.Services.Distinct().Count() != r.Services.Count)
            yield return new("services", "lists a service more than once");
    }

    private static IEnumerable<FieldError> Check(Zone z, World world)
    {
        foreach (var e in Id(z.Id, LowerId())) yield return e;
        foreach (var e in History(z.History)) yield return e;
        var region = world.Regions.Find(z.RegionId);
        if (region is null)
        {
            yield return new("regionId", $"no region '{z.RegionId}'");
            yield break;
        }
        if (!z.Id.StartsWith(z.RegionId, StringComparison.Ordinal) || z.Id.Length == z.RegionId.Length)
            yield return new("id", $"a zone id starts with its region's id ('{z.RegionId}') and adds a suffix");
        if (InServiceNow(z.History) && !InServiceNow(region.History))
            yield return new("history", $"the zone is in service but its region '{region.Id}' is {Current(region.History)}");
    }

    private static IEnumerable<FieldError> Check(Facility f, World world)
    {
        foreach (var e in Id(f.Id, LowerId())) yield return e;
        foreach (var e in Text("name", f.Name)) yield return e;
        foreach (var e in Text("city", f.City)) yield return e;
        foreach (var e in Country("country", f.Country)) yield return e;
        foreach (var e in Location(f.Location)) yield return e;
        foreach (var e in History(f.History)) yield return e;
        if (f.Support is { } s)
        {
            foreach (var e in Text("support.hours", s.Hours)) yield return e;
            for (var i = 0; i < s.Roles.Count; i++)
            {
                foreach (var e in Text($"support.roles[{i}]", s.Roles[i])) yield return e;
            }
        }
        if (f.RegionId is { } regionId && !world.Regions.Contains(regionId))
            yield return new("regionId", $"no region '{regionId}'");
        if (f.ZoneId is { } zoneId)
        {
            var zone = world.Zones.Find(zoneId);
            if (zone is null)
                yield return new("zoneId", $"no zone '{zoneId}'");
            else if (zone.RegionId != f.RegionId)
                yield return new("zoneId", $"zone '{zoneId}' is in region '{zone.RegionId}', not '{f.RegionId}'");
            else if (InServiceNow(f.History) && !InServiceNow(zone.History))
                yield return new("history", $"the facility is in service but its zone '{zoneId}' is {Current(zone.History)}");
        }
        if (f.RegionId is null && InServiceNow(f.History))
            yield return new("regionId", "a facility in service belongs to a region");
    }

    private static IEnumerable<FieldError> Check(Host h, World world)
    {
        foreach (var e in Id(h.Id, LowerId())) yield return e;
        if (h.Vcpu <= 0) yield return new("vcpu", "must be at least 1");
        if (h.MemoryGiB <= 0) yield return new("memoryGiB", "must be at least 1");
        if (h.Gpus < 0) yield return new("gpus", "cannot be negative");
        if (h.Gpus > 0 && string.IsNullOrWhiteSpace(h.GpuModel)) yield return new("gpuModel", "is required when gpus > 0");
        if (h.Gpus == 0 && h.GpuModel is not null) yield return new("gpuModel", "is set but the host has no GPUs");
        if (!world.Zones.Contains(h.ZoneId)) yield return new("zoneId", $"no zone '{h.ZoneId}'");
        var facility = world.Facilities.Find(h.FacilityId);
        if (facility is null)
            yield return new("facilityId", $"no facility '{h.FacilityId}'");
        else if (facility.ZoneId != h.ZoneId)
            yield return new("facilityId", $"facility '{h.FacilityId}' is not in zone '{h.ZoneId}'");
    }

    private static IEnumerable<FieldError> Check(DataBoundary b)
    {
        foreach (var e in Id(b.Id, AnyCaseId())) yield return e;
        foreach (var e in Text("name", b.Name)) yield return e;
        if (b.Countries.Count == 0) yield return new("countries", "needs at least one country");
        for (var i = 0; i < b.Countries.Count; i++)
        {
            foreach (var e in Country($"countries[{i}]", b.Countries[i])) yield return e;
        }
        if (b.Countries.Distinct().Count() != b.Countries.Count)
            yield return new("countries", "lists a country more than once");
    }

    private static IEnumerable<FieldError> Check(Service s, World world)
    {
        foreach (var e in Id(s.Id, LowerId())) yield return e;
        foreach (var e in Text("name", s.Name)) yield return e;
        foreach (var (region, url) in s.Endpoints ?? new Dictionary<string, string>())
        {
            if (!world.Regions.Contains(region)) yield return new($"endpoints.{region}", $"no region '{region}'");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                yield return new($"endpoints.{region}", $"'{url}' is not an absolute http or https URL");
        }
    }

    /// <summary>What still refers to a resource, as "kind/id"; a resource with referrers cannot be deleted.</summary>
    public static IEnumerable<string> ReferencesTo(World world, ResourceKind kind, string id) => kind.Name switch
    {
        "services" => world.Regions.Values.Where(r => r.Services.Contains(id)).Select(r => $"regions/{r.Id}"),
        "regions" => world.Zones.Values.Where(z => z.RegionId == id).Select(z => $"zones/{z.Id}")
            .Concat(world.Facilities.Values.Where(f => f.RegionId == id).Select(f => $"facilities/{f.Id}"))
            .Concat(world.Services.Values.Where(s => s.Endpoints?.ContainsKey(id) == true).Select(s => $"services/{s.Id}")),
        "zones" => world.Facilities.Values.Where(f => f.ZoneId == id).Select(f => $"facilities/{f.Id}")
            .Concat(world.Hosts.Values.Where(h => h.ZoneId == id).Select(h => $"hosts/{h.Id}")),
        "facilities" => world.Hosts.Values.Where(h => h.FacilityId == id).Select(h => $"hosts/{h.Id}"),
        _ => [],
    };

    private static bool InServiceNow(IReadOnlyList<LifecycleEvent> history) =>
        Current(history) is { } s && InService.Contains(s);

    private static IEnumerable<FieldError> Id(string id, Regex pattern)
    {
        if (string.IsNullOrEmpty(id) || !pattern.IsMatch(id))
            yield return new("id", $"'{id}' is not a valid id: letters, digits and inner hyphens, at most 63 characters");
    }

    private static IEnumerable<FieldError> Text(string field, string value)
    {
        if (string.IsNullOrWhiteSpace(value)) yield return new(field, "must not be empty");
        else if (value.Length > 200) yield return new(field, "is longer than 200 characters");
        else if (SafeText.Problem(value) is { } problem) yield return new(field, problem);
    }

    private static IEnumerable<FieldError> Country(string field, string value)
    {
        if (!Countries.IsKnown(value)) yield return new(field, $"'{value}' is not an ISO 3166-1 alpha-2 country code");
    }

    private static IEnumerable<FieldError> Location(GeoPoint p)
    {
        if (!(p.Latitude is >= -90 and <= 90)) yield return new("location.latitude", $"{p.Latitude} is outside [-90, 90]");
        if (!(p.Longitude is >= -180 and <= 180)) yield return new("location.longitude", $"{p.Longitude} is outside [-180, 180]");
    }

    private static IEnumerable<FieldError> History(IReadOnlyList<LifecycleEvent> history) =>
        LifecycleRules.Check(history).Select(e => new FieldError(e.Field, e.Message));
}
