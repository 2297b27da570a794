using Meridian.Core.Model;

namespace Meridian.Planning.Demand;

/// <summary>Demand aggregated from the cities of one country in one grid cell, at their population-weighted centre.</summary>
/// <param name="Name">The largest city of the cell.</param>
/// <param name="Weight">Population times the country's weight: what the models maximise or serve.</param>
public sealed record DemandPoint(string Name, string Country, GeoPoint Location, long Population, double Weight);
