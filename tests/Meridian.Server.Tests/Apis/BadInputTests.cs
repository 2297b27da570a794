using System.Net;
using System.Net.Http.Headers;

namespace Meridian.Server.Tests.Apis;

/// <summary>Every refused write is a 4xx problem naming the field, and the database file is unchanged.</summary>
public sealed class BadInputTests : ServerTest
{
    private const string Region = """{"id":"eu-test-1","name":"Test","city":"Berlin","country":"DE","location":{"latitude":52.5,"longitude":13.4},"status":"Live","services":["compute"]}""";

    private async Task RefusedAsync(Func<HttpClient, Task<HttpResponseMessage>> send, HttpStatusCode status, string? field)
    {
        var before = Host.Fingerprint();
        await Problem.AssertAsync(await send(Host.Http), status, field);
        Assert.Equal(before, Host.Fingerprint());
    }

    private Task PostRegionAsync(string body, HttpStatusCode status, string? field) =>
        RefusedAsync(h => h.PostAsync("/api/v1/regions", Problem.Json(body)), status, field);

    [Fact]
    public Task MalformedJson_Is400() => PostRegionAsync("""{"id":"eu-test-1", """, HttpStatusCode.BadRequest, "body");

    [Fact]
    public Task NotAnObject_Is400() => PostRegionAsync("[1,2]", HttpStatusCode.BadRequest, "body");

    [Fact]
    public Task UnknownEnumValue_Is400_NamingTheField() =>
        PostRegionAsync(Region.Replace("\"Live\"", "\"Alive\""), HttpStatusCode.BadRequest, "history[0].status");

    [Fact]
    public Task UnknownOwnership_Is400_NamingTheField() =>
        RefusedAsync(h => h.PatchAsync("/api/v1/facilities/lon1", Problem.Json("""{"ownership":"Rented"}""")), HttpStatusCode.BadRequest, "ownership");

    [Fact]
    public Task UnknownField_Is400_NamingIt() =>
        PostRegionAsync(Region.Replace("\"city\"", "\"colour\":\"red\",\"city\""), HttpStatusCode.BadRequest, "colour");

    [Fact]
    public Task MissingField_Is400_NamingIt() =>
        PostRegionAsync(Region.Replace("\"city\":\"Berlin\",", ""), HttpStatusCode.BadRequest, "city");

    [Theory]
    [InlineData("90.5")]
    [InlineData("-91")]
    public Task LatitudeOutOfRange_Is422(string latitude) =>
        PostRegionAsync(Region.Replace("52.5", latitude), HttpStatusCode.UnprocessableEntity, "location.latitude");

    [Fact]
    public Task UnknownCountry_Is422() => PostRegionAsync(Region.Replace("\"DE\"", "\"XX\""), HttpStatusCode.UnprocessableEntity, "country");

    [Fact]
    public Task DuplicateId_Is409() => PostRegionAsync(Region.Replace("eu-test-1", "eu-west-1"), HttpStatusCode.Conflict, "id");

    [Fact]
    public Task DanglingServiceReference_Is422() =>
        PostRegionAsync(Region.Replace("[\"compute\"]", "[\"teleport\"]"), HttpStatusCode.UnprocessableEntity, "services[0]");

    [Fact]
    public Task DanglingZoneReference_Is422() =>
        RefusedAsync(h => h.PostAsync("/api/v1/zones", Problem.Json("""{"id":"nowhere-1a","regionId":"nowhere-1","status":"Live"}""")),
            HttpStatusCode.UnprocessableEntity, "regionId");

    [Fact]
    public Task HostInAnotherZonesFacility_Is422() =>
        RefusedAsync(h => h.PostAsync("/api/v1/hosts", Problem.Json("""{"id":"h-x","zoneId":"eu-central-1a","facilityId":"lon1","vcpu":8,"memoryGiB":32}""")),
            HttpStatusCode.UnprocessableEntity, "facilityId");

    [Fact]
    public Task ClosedToLive_Is409() =>
        RefusedAsync(h => h.PostAsync("/api/v1/regions/ap-south-1/transitions", Problem.Json("""{"status":"Live"}""")), HttpStatusCode.Conflict, "status");

    [Fact]
    public Task PlannedToDraining_Is409() =>
        RefusedAsync(h => h.PostAsync("/api/v1/facilities/ams1/transitions", Problem.Json("""{"status":"Draining"}""")), HttpStatusCode.Conflict, "status");

    [Fact]
    public Task TransitionDatedBeforeTheLastEvent_Is422() =>
        RefusedAsync(h => h.PostAsync("/api/v1/regions/eu-west-1/transitions", Problem.Json("""{"status":"Draining","on":"2001-01-01"}""")),
            HttpStatusCode.UnprocessableEntity, "on");

    [Fact]
    public async Task ClosingARegionWhoseZonesAreLive_Is409_NamingTheZones()
    {
        var drained = await Host.Http.PostAsync("/api/v1/regions/eu-west-1/transitions", Problem.Json("""{"status":"Draining"}"""));
        Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
        await RefusedAsync(h => h.PostAsync("/api/v1/regions/eu-west-1/transitions", Problem.Json("""{"status":"Closed"}""")), HttpStatusCode.Conflict, "zones/eu-west-1a");
    }

    [Fact]
    public Task StatusThroughPatch_Is422_PointingToTransitions() =>
        RefusedAsync(h => h.PatchAsync("/api/v1/regions/eu-west-1", Problem.Json("""{"status":"Closed"}""")), HttpStatusCode.UnprocessableEntity, "status");

    [Fact]
    public Task ChangingAnIdThroughPatch_Is422() =>
        RefusedAsync(h => h.PatchAsync("/api/v1/regions/eu-west-1", Problem.Json("""{"id":"eu-west-9"}""")), HttpStatusCode.UnprocessableEntity, "id");

    [Fact]
    public Task NullingARequiredField_Is400() =>
        RefusedAsync(h => h.PatchAsync("/api/v1/regions/eu-west-1", Problem.Json("""{"name":null}""")), HttpStatusCode.BadRequest, "name");

    [Fact]
    public Task StaleIfMatch_Is412() =>
        RefusedAsync(h =>
        {
            var request = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/regions/eu-west-1") { Content = Problem.Json("""{"name":"UK (London)"}""") };
            request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"999\""));
            return h.SendAsync(request);
        }, HttpStatusCode.PreconditionFailed, null);

    [Fact]
    public Task OversizedBody_Is413() =>
        PostRegionAsync(Region.Replace("\"Test\"", $"\"{new string('x', 300_000)}\""), HttpStatusCode.RequestEntityTooLarge, null);

    [Fact]
    public Task DeletingAReferencedRegion_Is409_NamingWhatRefersToIt() =>
        RefusedAsync(h => h.DeleteAsync("/api/v1/regions/eu-west-1"), HttpStatusCode.Conflict, "id");

    [Fact]
    public Task DeletingAServiceInUse_Is409() =>
        RefusedAsync(h => h.DeleteAsync("/api/v1/services/qwen3-max"), HttpStatusCode.Conflict, "id");

    [Fact]
    public Task ImportOfAnInvalidWorld_Is422_ListingEveryError() =>
        RefusedAsync(async h =>
        {
            var response = await h.PostAsync("/api/v1/world/import", Problem.Json("""
                {"format":"meridian/world@1","regions":[
                  {"id":"eu-a-1","name":"A","city":"X","country":"DE","location":{"latitude":95,"longitude":0},"history":[{"status":"Live","on":"2020-01-01"}],"services":[]},
                  {"id":"eu-a-1","name":"B","city":"X","country":"DE","location":{"latitude":1,"longitude":0},"history":[{"status":"Live","on":"2020-01-01"}],"services":[]}]}
                """));
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("regions[0].location.latitude", body);
            Assert.Contains("regions[1].id", body);
            return new HttpResponseMessage(response.StatusCode) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/problem+json") };
        }, HttpStatusCode.UnprocessableEntity, "regions[1].id");
}
