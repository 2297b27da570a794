using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Model;
using Meridian.Core.Serialization;

namespace Meridian.Core.Tests.Serialization;

public sealed class JsonErrorsTests
{
    private static (string Field, string Message) Fail<T>(string json)
    {
        var node = JsonNode.Parse(json);
        var e = Assert.Throws<JsonException>(() => node.Deserialize<T>(MeridianJson.Options));
        var error = JsonErrors.Describe(e, node, typeof(T));
        return (error.Field, error.Message);
    }

    private const string Region = """{"id":"r-1","name":"R","city":"C","country":"DE","location":{"latitude":1,"longitude":2},"history":[{"status":"Live","on":"2020-01-01"}],"services":[]}""";

    [Fact]
    public void UnknownEnumValue_NamesTheFieldAndTheAllowedValues()
    {
        var (field, message) = Fail<Region>(Region.Replace("\"Live\"", "\"Alive\""));
        Assert.Equal("history[0].status", field);
        Assert.Contains("\"Alive\" is not one of Planned, UnderConstruction, Live, Draining, Closed", message);
    }

    [Fact]
    public void MissingRequiredField_IsNamed()
    {
        var (field, message) = Fail<Region>(Region.Replace("\"city\":\"C\",", ""));
        Assert.Equal("city", field);
        Assert.Equal("is required", message);
    }

    [Fact]
    public void UnknownField_IsNamed()
    {
        var (field, message) = Fail<Region>(Region.Replace("\"city\":\"C\",", "\"city\":\"C\",\"colour\":\"red\","));
        Assert.Equal("colour", field);
        Assert.Equal("is not a known field", message);
    }

    [Fact]
    public void NullForRequiredValue_IsNamed()
    {
        var (field, message) = Fail<Region>(Region.Replace("\"name\":\"R\"", "\"name\":null"));
        Assert.Equal("name", field);
        Assert.Equal("must not be null", message);
    }

    [Fact]
    public void BadDate_SaysTheFormat()
    {
        var (field, message) = Fail<Region>(Region.Replace("2020-01-01", "01/02/2020"));
        Assert.Equal("history[0].on", field);
        Assert.Contains("YYYY-MM-DD", message);
    }

    [Fact]
    public void StringForNumber_IsNamed()
    {
        var (field, message) = Fail<Region>(Region.Replace("\"latitude\":1", "\"latitude\":\"north\""));
        Assert.Equal("location.latitude", field);
        Assert.Contains("not a number", message);
    }
}
