using System.Globalization;
using System.Text.Json;
using Meridian.Core.Fleet;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Storage.Documents;

namespace Meridian.Storage.Worlds;

/// <summary>Builds the Alibaba Cloud demo world from the files shipped in data/worlds/alibaba-cloud
/// (embedded in this assembly): regions.csv, lifecycle.csv and footprint.yaml. See that folder's README.</summary>
public static class DemoWorld
{
    public const string Name = "alibaba-cloud";

    public static World Load(HostFleetOptions? fleet = null)
    {
        var footprint = ReadFootprint();
        var events = ReadLifecycle();
        var world = World.Empty;
        foreach (var b in footprint.Boundaries) world = Kinds.Boundaries.Put(world, b, 1);
        foreach (var s in footprint.Services) world = Kinds.Services.Put(world, s, 1);

        using var regions = Open("regions.csv");
        foreach (var row in Csv.ReadWithHeader(regions))
        {
            var id = row["region_id"];
            var history = events.GetValueOrDefault(id) ?? throw new InvalidDataException($"lifecycle.csv has no dates for region {id}");
            var services = footprint.DefaultServices
                .Concat(footprint.ServiceRegions.Where(kv => kv.Value.Contains(id)).Select(kv => kv.Key))
                .ToArray();
            var notes = $"{row["notes"]}; location {row["coord_basis"]}";
            if (row["city_basis"] == "estimated") notes += "; city estimated (Alibaba names only the state or country)";
            world = Kinds.Regions.Put(world, new Region(id, row["name"], row["city"], row["country_iso2"],
                new GeoPoint(Number(row["lat"]), Number(row["lon"])), history, services, notes), 1);
            foreach (var zoneId in row["zone_ids"].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var zoneNotes = row["zone_source"] == "estimated" ? "zone id not documented; assumed" : null;
                world = Kinds.Zones.Put(world, new Zone(zoneId, id, events.GetValueOrDefault(zoneId) ?? history, zoneNotes), 1);
            }
        }
        foreach (var z in footprint.Zones) world = Kinds.Zones.Put(world, z, 1);
        foreach (var f in footprint.Facilities) world = Kinds.Facilities.Put(world, f, 1);

        var zonesWithFacility = world.Facilities.Values.Select(f => f.ZoneId).OfType<string>().ToHashSet();
        foreach (var zone in world.Zones.Values.Where(z => !zonesWithFacility.Contains(z.Id)).ToArray())
        {
            var region = world.Regions.Find(zone.RegionId)!;
            var ownership = footprint.PartnerOperatedRegions.Contains(region.Id) ? Ownership.PartnerOperated : Ownership.Owned;
            var facility = new Facility($"{zone.Id}-dc1", $"{region.City} zone {zone.Id[region.Id.Length..].TrimStart('-')} data centre",
                region.City, region.Country, region.Location, ownership, zone.History, region.Id, zone.Id,
                Notes: "one facility assumed per zone; site not published");
            world = Kinds.Facilities.Put(world, facility, 1);
        }

        foreach (var host in HostFleetGenerator.Generate(world, fleet ?? footprint.Fleet)) world = Kinds.Hosts.Put(world, host, 1);

        var errors = Kinds.All.SelectMany(k => k.All(world).SelectMany(i => Rules.Check(i.Value, world).Select(e => e.Under($"{k.Name}/{i.Value.Id}")))).ToArray();
        if (errors.Length > 0)
            throw new InvalidDataException("the demo world is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        return world;
    }

    private static DemoFootprint ReadFootprint()
    {
        using var reader = Open("footprint.yaml");
        var node = YamlJson.Parse(reader.ReadToEnd(), WorldDocument.MaxDepth, out var error);
        if (error is not null) throw new InvalidDataException($"footprint.yaml {error.Field}: {error.Message}");
        return node.Deserialize<DemoFootprint>(MeridianJson.Options) ?? throw new InvalidDataException("footprint.yaml is empty");
    }

    private static Dictionary<string, IReadOnlyList<LifecycleEvent>> ReadLifecycle()
    {
        using var reader = Open("lifecycle.csv");
        return Csv.ReadWithHeader(reader)
            .Select(r => (Id: r["resource"], Event: new LifecycleEvent(
                Enum.Parse<LifecycleStatus>(r["status"]), DateOnly.ParseExact(r["on"], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                bool.Parse(r["estimated"]), r["note"].Length == 0 ? null : r["note"])))
            .GroupBy(x => x.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<LifecycleEvent>)g.Select(x => x.Event).OrderBy(e => e.On).ToArray(), StringComparer.Ordinal);
    }

    private static double Number(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static StreamReader Open(string file)
    {
        var name = $"worlds/{Name}/{file}";
        var stream = typeof(DemoWorld).Assembly.GetManifestResourceStream(name)
            ?? throw new FileNotFoundException($"embedded resource {name} is missing");
        return new StreamReader(stream);
    }
}
