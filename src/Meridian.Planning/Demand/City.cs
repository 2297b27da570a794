using Meridian.Core.Model;

namespace Meridian.Planning.Demand;

/// <summary>A city from the shipped world-cities data (data/cities).</summary>
public sealed record City(string Name, string Country, GeoPoint Location, long Population, string Capital);
