using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Meridian.Server.Tests.Console;

/// <summary>The console in Debian's Chromium, driven by Playwright, against a real server on loopback.
/// Screenshots are saved under the test output's console-screenshots folder.</summary>
public sealed class ConsoleTests : ConsolePage
{
    [Fact]
    public async Task Login_RefusesAWrongToken_ShowsWhoIsLoggedIn_AndAViewerCannotPlace()
    {
        Assert.Equal("first-admin", (await Page.TextContentAsync("#who-name"))!.Split(' ')[0]);
        Assert.Contains("admin", await Page.TextContentAsync("#who-name"));

        var viewer = await Host.TokenAsync("viewer", name: "vera");
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(Host.Http.BaseAddress!.ToString());
        await page.WaitForSelectorAsync("#login[open]");
        await page.FillAsync("#login input[name=token]", "mrd_000000000000_" + new string('0', 48));
        await page.ClickAsync("#login button[type=submit]");
        await page.WaitForSelectorAsync("#login-error:has-text('not valid')");
        await page.FillAsync("#login input[name=token]", viewer);
        await page.ClickAsync("#login button[type=submit]");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        Assert.StartsWith("vera", await page.TextContentAsync("#who-name"));
        await page.ClickAsync("nav button[data-view=place]");
        Assert.True(await page.IsDisabledAsync("#place-form button[type=submit]"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "viewer.png") });
        // The token is kept for this tab only, never in a cookie.
        Assert.Empty(await page.Context.CookiesAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task TheMap_ShowsOneMarkerPerRegionTheApiReturns_WithoutConsoleErrors()
    {
        var regions = (await Host.GetJsonAsync("/api/v1/regions?limit=1000"))["items"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToHashSet();
        var markers = await Page.Locator("svg [data-region-id]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-region-id'))");
        Assert.Equal(regions.Count, markers.Length);
        Assert.Equal(regions, markers.ToHashSet());
        await ScreenshotAsync("world");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ClickingARegion_OpensItsZonesFacilitiesAndCapacity()
    {
        await RevealAsync("eu-west-1");
        await Page.Locator("[data-region-id='eu-west-1']").ClickAsync();
        await Page.WaitForSelectorAsync("[data-testid=region-title]");
        var panel = await Page.Locator("#panel").InnerTextAsync();
        Assert.Contains("eu-west-1", panel);
        Assert.Contains("London data centre 1", panel);
        Assert.Contains("24/7: security, engineering", panel);
        Assert.Contains("eu-west-1a", panel);
        Assert.Contains("2018-10-01 Live", panel); // each facility's status history
        var hover = await Page.Locator("[data-region-id='eu-west-1'] title").TextContentAsync();
        Assert.Contains("London data centre 2", hover);
        Assert.Equal(3, await Page.Locator("#panel .bar").CountAsync());
        Assert.Contains("No GPUs stranded", await Page.Locator("[data-testid=stranded]").InnerTextAsync());
        await ScreenshotAsync("region");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TheSlider_ReplaysTheFootprint_LondonAppearsInOctober2018()
    {
        var london = Page.Locator("[data-region-id='eu-west-1']");
        var slider = Page.Locator("#as-of");
        // Months since January 2011: September 2018 is 92, November 2018 is 94.
        await slider.FillAsync("92");
        Assert.Equal("true", await london.GetAttributeAsync("data-hidden"));
        Assert.Equal(0, await Page.Locator(".cluster[data-regions~='eu-west-1']").CountAsync());
        await slider.FillAsync("94");
        Assert.Equal("false", await london.GetAttributeAsync("data-hidden"));
        // Shown: as its own marker, or inside a cluster until zoomed in.
        Assert.True(await london.IsVisibleAsync() || await Page.Locator(".cluster[data-regions~='eu-west-1']").IsVisibleAsync());
        Assert.Equal("Live", await london.GetAttributeAsync("data-status"));
        var sydney = Page.Locator("[data-region-id='ap-southeast-2']");
        Assert.Equal("Live", await sydney.GetAttributeAsync("data-status"));
        await ScreenshotAsync("2018");
        await slider.FillAsync(await slider.GetAttributeAsync("max") ?? "0");
        Assert.Equal("Closed", await sydney.GetAttributeAsync("data-status"));
    }

    [Fact]
    public async Task APlacementMadeInTheForm_AppearsOnTheMap_AndInTheApi()
    {
        await Page.Locator("nav button[data-view=place]").ClickAsync();
        await Page.Locator("#place-form button[type=submit]").ClickAsync();
        await Page.WaitForSelectorAsync("[data-testid=placed]");
        var placed = await Page.Locator(".region.placed").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-region-id'))");
        Assert.Contains("eu-central-1", placed);
        Assert.DoesNotContain("eu-west-1", placed);
        var workloads = (await Host.GetJsonAsync("/api/v1/workloads"))["items"]!.AsArray();
        Assert.Single(workloads);
        // A GPU workload that names no strategy is placed fragmentation-aware, and the answer says so.
        Assert.Equal("Fragmentation", await Page.Locator("[data-testid=strategy]").InnerTextAsync());
        Assert.Equal("Fragmentation", workloads[0]!["strategy"]!.GetValue<string>());
        await ScreenshotAsync("placement");

        // Half a GPU each, packed: the strategy chosen by name and the fractional GPU reach the API.
        await Page.Locator("#place-form input[name=name]").FillAsync("halves");
        await Page.Locator("#place-form input[name=gpuShare]").FillAsync("0.5");
        await Page.Locator("#place-form select[name=strategy]").SelectOptionAsync("Pack");
        await Page.Locator("#place-form button[type=submit]").ClickAsync();
        await Page.WaitForSelectorAsync("[data-testid=strategy]:has-text('Pack')");
        var halves = (await Host.GetJsonAsync("/api/v1/workloads"))["items"]!.AsArray().Single(w => w!["name"]!.GetValue<string>() == "halves")!;
        Assert.Equal(0.5, halves["resources"]!["gpuShare"]!.GetValue<double>());
        Assert.All(halves["allocations"]!.AsArray(), a => Assert.Equal(0.5, a!["gpus"]![0]!["share"]!.GetValue<double>()));

        // An impossible request is explained in words, not a stack trace.
        await Page.Locator("#place-form input[name=replicas]").FillAsync("900");
        await Page.Locator("#place-form input[name=name]").FillAsync("too-big");
        await Page.Locator("#place-form button[type=submit]").ClickAsync();
        await Page.WaitForSelectorAsync(".problem");
        var refusal = await Page.Locator(".problem").InnerTextAsync();
        Assert.Contains("short by", refusal);
        // Said once, though the title, detail and field error of the problem all carry it.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(refusal, "short by"));
        Assert.Equal(2, (await Host.GetJsonAsync("/api/v1/workloads"))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task AWorkloadPlacedByAnotherClient_AppearsOnTheMapWithoutAReload_AndGoesWhenDeleted()
    {
        await Page.WaitForSelectorAsync("#live[data-state=live]");
        // Set on this page only: a reload would lose it.
        await Page.EvaluateAsync("() => window.sameDocument = true");
        var london = Page.Locator("[data-region-id='eu-west-1']");
        Assert.Equal("0", await london.GetAttributeAsync("data-replicas"));

        // Placed through the API by another client, as the CLI does.
        var placed = await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(new JsonObject
        {
            ["tenant"] = "acme", ["name"] = "from-the-cli", ["replicas"] = 2,
            ["resources"] = new JsonObject { ["vcpu"] = 2, ["memoryGiB"] = 4 },
            ["constraints"] = new JsonObject { ["regions"] = new JsonArray("eu-west-1") },
        }.ToJsonString()));
        Assert.Equal(System.Net.HttpStatusCode.Created, placed.StatusCode);
        var id = JsonNode.Parse(await placed.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        // A generous guard for a slow machine, not a speed requirement.
        var guard = new PageWaitForSelectorOptions { Timeout = 120_000, State = WaitForSelectorState.Attached };
        await Page.WaitForSelectorAsync("[data-region-id='eu-west-1'][data-replicas='2']", guard);
        Assert.Equal("2", await london.Locator("text.replicas").TextContentAsync());
        Assert.Contains("Replicas running: 2", await london.Locator("title").TextContentAsync());
        Assert.True(await Page.EvaluateAsync<bool>("() => window.sameDocument === true"));
        await ScreenshotAsync("live");

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await Host.Http.DeleteAsync($"/api/v1/workloads/{id}")).StatusCode);
        await Page.WaitForSelectorAsync("[data-region-id='eu-west-1'][data-replicas='0']", guard);
        Assert.Equal(0, await london.Locator("text.replicas").CountAsync());
        Assert.True(await Page.EvaluateAsync<bool>("() => window.sameDocument === true"));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ClickingNearParis_RoutesQwenToFrankfurt()
    {
        await Page.Locator("nav button[data-view=steer]").ClickAsync();
        await Page.WaitForSelectorAsync("#steer-service");
        await RevealAsync("eu-west-2");
        var paris = await Page.Locator("[data-region-id='eu-west-2']").BoundingBoxAsync();
        // Just south of the Paris marker, still in France.
        await Page.Mouse.ClickAsync(paris!.X + paris.Width / 2, paris.Y + paris.Height + 6);
        await Page.WaitForSelectorAsync("[data-testid=route]");
        var text = await Page.Locator("[data-testid=route]").InnerTextAsync();
        Assert.Contains("France", text);
        Assert.Contains("eu-central-1", text);
        await ScreenshotAsync("steering");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task AnExpansionPlan_ShowsProgress_ThenItsSitesOnTheMap()
    {
        await Page.Locator("nav button[data-view=plan]").ClickAsync();
        await Page.Locator("#plan-form input[name=add]").FillAsync("3");
        await Page.Locator("#plan-form button[type=submit]").ClickAsync();
        await Page.WaitForSelectorAsync("[data-testid=plan-sites]", new PageWaitForSelectorOptions { Timeout = 60_000 });

        Assert.Equal(3, await Page.Locator("[data-testid=plan-sites] tbody tr").CountAsync());
        Assert.Equal(3, await Page.Locator(".planned-site").CountAsync());
        var plans = (await Host.GetJsonAsync("/api/v1/plans"))["items"]!.AsArray();
        Assert.Equal("succeeded", Assert.Single(plans)!["status"]!.GetValue<string>());
        Assert.EndsWith("%", await Page.Locator("[data-testid=share-after]").InnerTextAsync());
        await ScreenshotAsync("planning");

        // A what-if closure shades the countries that get worse and names the region.
        await Page.Locator("#plan-form select[name=kind]").SelectOptionAsync("closure");
        await Page.Locator("#plan-form select[name=region]").SelectOptionAsync("eu-central-1");
        await Page.Locator("#plan-form button[type=submit]").ClickAsync();
        await Page.WaitForSelectorAsync("[data-testid=closure-summary]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        Assert.Contains("eu-central-1", await Page.Locator("[data-testid=closure-summary]").InnerTextAsync());
        Assert.True(await Page.Locator("path.country[style*=fill]").CountAsync() > 3);
        await ScreenshotAsync("closure");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TheChangeLog_ListsTheSeed()
    {
        await Page.Locator("nav button[data-view=changes]").ClickAsync();
        await Page.WaitForSelectorAsync("[data-testid=changes]");
        Assert.True(await Page.Locator("[data-testid=changes] tbody tr").CountAsync() > 10);
    }

    [Fact]
    public async Task OnANarrowScreen_TheMapAndPanelStack_AndTheNavIsKeyboardReachable()
    {
        await Page.SetViewportSizeAsync(390, 844);
        var map = await Page.Locator("#map").BoundingBoxAsync();
        var panel = await Page.Locator("#panel").BoundingBoxAsync();
        Assert.True(panel!.Y > map!.Y + map.Height - 1, "the panel sits below the map");
        Assert.True(map.Width <= 390);
        await Page.Keyboard.PressAsync("Tab");
        Assert.Equal("World", await Page.EvaluateAsync<string>("document.activeElement.textContent"));
        await ScreenshotAsync("narrow");
    }
}
