using Meridian.Storage.Changes;
using Meridian.Storage.Documents;
using Meridian.Storage.Worlds;

namespace Meridian.Storage.Tests.Documents;

public sealed class WorldDocumentTests
{
    private static readonly Meridian.Core.Registry.World Demo = DemoWorld.Load();

    [Theory]
    [InlineData(DocumentFormat.Json)]
    [InlineData(DocumentFormat.Yaml)]
    public void Export_ThenRead_GivesTheSameWorld(DocumentFormat format)
    {
        var text = WorldDocument.Write(Demo, format);
        var (world, errors) = WorldDocument.Read(text, format);
        Assert.Empty(errors);
        Assert.Empty(WorldDiff.Between(Demo, world!, "test"));
    }

    [Fact]
    public void Read_ListsEveryProblem_WithItsLocation()
    {
        const string yaml = """
            format: meridian/world@1
            services: []
            regions:
              - { id: eu-a-1, name: A, city: X, country: DE, location: { latitude: 95, longitude: 0 }, history: [{ status: Live, on: 2020-01-01 }], services: [] }
              - { id: eu-a-1, name: B, city: X, country: DE, location: { latitude: 1, longitude: 0 }, history: [{ status: Live, on: 2020-01-01 }], services: [] }
              - { id: eu-b-1, name: C, city: X, country: ZZ, location: { latitude: 1, longitude: 0 }, history: [{ status: Alive, on: 2020-01-01 }], services: [] }
            zones:
              - { id: eu-c-1a, regionId: eu-c-1, history: [{ status: Live, on: 2020-01-01 }] }
            """;
        var (world, errors) = WorldDocument.Read(yaml, DocumentFormat.Yaml);
        Assert.Null(world);
        var fields = errors.Select(e => e.Field).ToArray();
        Assert.Contains("regions[0].location.latitude", fields);
        Assert.Contains("regions[1].id", fields);
        Assert.Contains("regions[2].history[0].status", fields);
        Assert.Contains("zones[0].regionId", fields);
    }

    [Fact]
    public void MalformedYaml_ReportsLineAndColumn()
    {
        var (_, errors) = WorldDocument.Read("regions: [ { id: a\n  - oops: ]", DocumentFormat.Yaml);
        Assert.StartsWith("line ", Assert.Single(errors).Field);
    }

    [Fact]
    public void UnknownSection_AndWrongFormat_AreReported()
    {
        var (_, errors) = WorldDocument.Read("""{"format":"v0","planets":[]}""", DocumentFormat.Json);
        Assert.Contains(errors, e => e.Field == "format");
        Assert.Contains(errors, e => e.Field == "planets");
    }

    [Fact]
    public void YamlExport_QuotesStringsThatWouldReadBackAsOtherTypes()
    {
        var yaml = YamlJson.Write(System.Text.Json.Nodes.JsonNode.Parse("""{"a":"true","b":"12","c":"null","d":"plain text"}"""));
        var back = YamlJson.Parse(yaml, WorldDocument.MaxDepth, out var error)!;
        Assert.Null(error);
        Assert.Equal("true", back["a"]!.GetValue<string>());
        Assert.Equal("12", back["b"]!.GetValue<string>());
        Assert.Equal("null", back["c"]!.GetValue<string>());
        Assert.Equal("plain text", back["d"]!.GetValue<string>());
    }
}
