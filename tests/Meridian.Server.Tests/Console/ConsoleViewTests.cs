using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Meridian.Server.Tests.Console;

/// <summary>Every view on a laptop and a phone, checked with axe-core; zoom and clusters; a slow answer after a view
/// switch; a click at sea.</summary>
public sealed class ConsoleViewTests : ConsolePage
{
    private static readonly (int Width, int Height)[] Screens = [(1280, 800), (390, 844)];

    /// <summary>axe-core's engine (the one @axe-core/playwright injects), from the console's npm dependencies.</summary>
    private static readonly string Axe = Path.Combine(Repository.Root, "web", "node_modules", "axe-core", "axe.min.js");

    [Fact]
    public async Task EveryView_OnALaptopAndAPhone_HasNoSeriousAccessibilityViolation_NorConsoleErrors()
    {
        foreach (var (width, height) in Screens)
        {
            await Page.SetViewportSizeAsync(width, height);
            foreach (var view in new[] { "world", "region", "place", "steer", "plan", "tenants", "changes" })
            {
                await OpenAsync(view);
                await ScreenshotAsync($"{view}-{width}x{height}");
                var violations = await AxeAsync();
                Assert.True(violations.Length == 0, $"{view} at {width}x{height}: {string.Join("; ", violations)}");
            }
        }
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task NoSelect_CutsOffItsOptions_OnALaptopOrAPhone()
    {
        foreach (var (width, height) in Screens)
        {
            await Page.SetViewportSizeAsync(width, height);
            foreach (var view in new[] { "place", "steer", "plan" })
            {
                await OpenAsync(view);
                if (view == "plan") await Page.Locator("#plan-form select[name=kind]").SelectOptionAsync("closure");
                // The widest option's text, in the select's font, against the room the select gives it (less its arrow).
                var cut = await Page.EvaluateAsync<string[]>("""
                    () => [...document.querySelectorAll('#panel select')].filter(s => s.offsetParent !== null).flatMap(s => {
                      const ctx = document.createElement('canvas').getContext('2d');
                      ctx.font = getComputedStyle(s).font;
                      const room = s.clientWidth - 28;
                      return [...s.options].filter(o => ctx.measureText(o.text).width > room).map(o => `${s.name || s.id}: ${o.text}`);
                    })
                    """);
                Assert.True(cut.Length == 0, $"{view} at {width}x{height} cuts off: {string.Join(", ", cut)}");
            }
        }
    }

    [Fact]
    public async Task ZoomingIn_SeparatesTheClusteredChineseRegions_AndTheKeyboardZoomsAndPans()
    {
        // At the whole-world view the regions around Beijing overlap, so they share one marker.
        var north = new[] { "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu" };
        var together = await ClusterOfAsync(north[0]);
        Assert.NotNull(together);
        Assert.Contains(north[1], together);
        Assert.False(await Page.Locator($"[data-region-id='{north[0]}']").IsVisibleAsync());

        // Clicking the cluster zooms in on it, until each has a marker of its own.
        await RevealAsync(north[0]);
        foreach (var r in north.Where(r => r != north[0]))
            Assert.DoesNotContain(north[0], await ClusterOfAsync(r) ?? []);
        var size = await Page.Locator($"[data-region-id='{north[0]}'] circle.dot").BoundingBoxAsync();
        Assert.InRange(size!.Width, 10, 16); // the same size on screen, whatever the zoom

        // Back to the world with the keyboard, then + zooms and the arrows pan.
        await Page.Locator("#map").FocusAsync();
        await Page.Keyboard.PressAsync("0");
        Assert.NotNull(await ClusterOfAsync(north[0]));
        var before = await Page.Locator("#map .viewport").GetAttributeAsync("transform");
        await Page.Keyboard.PressAsync("+");
        var zoomed = await Page.Locator("#map .viewport").GetAttributeAsync("transform");
        Assert.Contains("scale(2)", zoomed);
        await Page.Keyboard.PressAsync("ArrowLeft");
        Assert.NotEqual(zoomed, await Page.Locator("#map .viewport").GetAttributeAsync("transform"));
        Assert.NotEqual(before, zoomed);
        await ScreenshotAsync("zoomed");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task OnAPhone_EveryMarkerIsBigEnoughToTap()
    {
        await Page.SetViewportSizeAsync(390, 844);
        var small = await Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.region, .cluster')].filter(g => g.getBoundingClientRect().width > 0)
              .filter(g => { const r = g.querySelector('circle.hit').getBoundingClientRect(); return r.width < 24 || r.height < 24; })
              .map(g => g.dataset.regionId || g.dataset.regions)
            """);
        Assert.Empty(small);
        Assert.True(await Page.Locator(".region, .cluster").Filter(new() { Visible = true }).CountAsync() > 10);
    }

    [Fact]
    public async Task ASlowAnswer_DoesNotOverwriteTheViewTheUserSwitchedTo()
    {
        var release = new TaskCompletionSource();
        var held = new TaskCompletionSource();
        await Page.RouteAsync("**/api/v1/capacity?region=*", async route =>
        {
            held.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });
        await Page.Locator(".region-list button[data-open='eu-west-1']").ClickAsync();
        await held.Task;
        await OpenAsync("changes");
        release.SetResult();
        // The region's answer arrives after the switch (every request done, and what followed it run); the change log stays.
        await Page.WaitForFunctionAsync("() => document.body.dataset.busy === '0'");
        Assert.Equal(1, await Page.Locator("#panel [data-testid=changes]").CountAsync());
        Assert.Equal(0, await Page.Locator("#panel [data-testid=region-title]").CountAsync());
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task AClickAtSea_RoutesFromTheNearestCountry_AndReplacesThePreviousRoute()
    {
        await OpenAsync("steer");
        await RevealAsync("eu-west-2");
        var paris = await Page.Locator("[data-region-id='eu-west-2']").BoundingBoxAsync();
        await Page.Mouse.ClickAsync(paris!.X + paris.Width / 2, paris.Y + paris.Height + 6);
        await Page.WaitForSelectorAsync("[data-testid=route]:has-text('France')");
        Assert.Equal(1, await Page.Locator("#map .route").CountAsync());

        // The Bay of Biscay, west of France: the client counts as the nearest country, and the old route goes.
        var sea = await ScreenPointAsync(-5.0, 45.5);
        await Page.Mouse.ClickAsync(sea.X, sea.Y);
        await Page.WaitForSelectorAsync("[data-testid=route]:has-text('at sea')");
        var text = await Page.Locator("[data-testid=route]").InnerTextAsync();
        Assert.Matches(new Regex("counted as (France|Spain) \\(nearest country, \\d+ km away\\)"), text);
        Assert.Equal(1, await Page.Locator("#map .route").CountAsync());
        await ScreenshotAsync("sea");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TheCapacityLayer_ColoursRegionsByTheShareInUse_AndFollowsPlacements()
    {
        var london = Page.Locator("[data-region-id='eu-west-1'] circle.dot");
        var statusFill = await london.GetAttributeAsync("fill");
        await Page.Locator("#colour-by").SelectOptionAsync("vcpu");
        await Page.WaitForSelectorAsync("#capacity-legend:not([hidden])");
        Assert.True(await Page.Locator("#legend").IsHiddenAsync());
        var idle = await london.GetAttributeAsync("fill");
        Assert.NotEqual(statusFill, idle);
        Assert.Equal("hsl(120, 70%, 45%)", idle); // nothing placed yet: all free

        // Whole hosts of London (half of them) placed by another client turn its marker from green towards red without a reload.
        var hosts = (await Host.GetJsonAsync("/api/v1/capacity?region=eu-west-1&hosts=true"))["hosts"]!.AsArray();
        var smallest = hosts.Min(h => h!["free"]!["vcpu"]!.GetValue<double>());
        var placed = await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(new System.Text.Json.Nodes.JsonObject
        {
            ["tenant"] = "acme", ["name"] = "half-of-london", ["replicas"] = Math.Max(1, hosts.Count / 2),
            ["resources"] = new System.Text.Json.Nodes.JsonObject { ["vcpu"] = smallest, ["memoryGiB"] = 1 },
            ["constraints"] = new System.Text.Json.Nodes.JsonObject { ["regions"] = new System.Text.Json.Nodes.JsonArray("eu-west-1"), ["distinctHosts"] = true },
        }.ToJsonString()));
        Assert.Equal(System.Net.HttpStatusCode.Created, placed.StatusCode);
        await Page.WaitForFunctionAsync("() => document.querySelector(\"[data-region-id='eu-west-1'] circle.dot\").getAttribute('fill') !== 'hsl(120, 70%, 45%)'",
            null, new PageWaitForFunctionOptions { Timeout = 120_000 });
        var london1 = (await Host.GetJsonAsync("/api/v1/capacity?region=eu-west-1"))["all"]!;
        var share = london1["used"]!["vcpu"]!.GetValue<double>() / london1["total"]!["vcpu"]!.GetValue<double>();
        Assert.InRange(share, 0.05, 0.95);
        Assert.Equal($"hsl({120 * (1 - share):0}, 70%, 45%)", await london.GetAttributeAsync("fill"));
        await ScreenshotAsync("capacity");

        // Stranded GPUs: none in the demo world (every free GPU is on a host where the placed mix still fits).
        await Page.Locator("#colour-by").SelectOptionAsync("stranded");
        await Page.WaitForSelectorAsync("#capacity-legend:has-text('stranded')");
        Assert.Equal("hsl(120, 70%, 45%)", await Page.Locator("[data-region-id='eu-central-1'] circle.dot").GetAttributeAsync("fill"));

        await Page.Locator("#colour-by").SelectOptionAsync("");
        Assert.Equal(statusFill, await london.GetAttributeAsync("fill"));
        Assert.True(await Page.Locator("#legend").IsVisibleAsync());
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TheTenantsView_ShowsUsageAgainstQuota_AndAMemberSeesOnlyItsOwnTenant()
    {
        await Host.TenantAsync("lab", new System.Text.Json.Nodes.JsonObject { ["vcpu"] = 100 });
        var placed = await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(new System.Text.Json.Nodes.JsonObject
        {
            ["tenant"] = "lab", ["name"] = "trial", ["replicas"] = 2,
            ["resources"] = new System.Text.Json.Nodes.JsonObject { ["vcpu"] = 8, ["memoryGiB"] = 4 },
        }.ToJsonString()));
        Assert.Equal(System.Net.HttpStatusCode.Created, placed.StatusCode);

        await OpenAsync("tenants");
        var lab = await Page.Locator(".tenants [data-tenant=lab]").InnerTextAsync();
        Assert.Contains("1 workloads, 2 replicas", lab);
        Assert.Contains("16 / 100", lab);
        Assert.Contains("no quota", lab); // memory and GPUs are unlimited
        Assert.Equal(1, await Page.Locator(".tenants [data-tenant=acme]").CountAsync());

        // The open view follows the change log: a workload placed by another client shows without a click.
        var second = await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(new System.Text.Json.Nodes.JsonObject
        {
            ["tenant"] = "lab", ["name"] = "second", ["replicas"] = 1,
            ["resources"] = new System.Text.Json.Nodes.JsonObject { ["vcpu"] = 4, ["memoryGiB"] = 4 },
        }.ToJsonString()));
        Assert.Equal(System.Net.HttpStatusCode.Created, second.StatusCode);
        await Page.WaitForSelectorAsync(".tenants [data-tenant=lab]:has-text('2 workloads, 3 replicas')", new() { Timeout = 120_000 });
        Assert.Contains("20 / 100", await Page.Locator(".tenants [data-tenant=lab]").InnerTextAsync());

        var member = await Host.TokenAsync("member", "lab");
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(Host.Http.BaseAddress!.ToString());
        await page.WaitForSelectorAsync("#login[open]");
        await page.FillAsync("#login input[name=token]", member);
        await page.ClickAsync("#login button[type=submit]");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        Assert.True(await page.Locator("nav button[data-view=world]").IsHiddenAsync());
        await page.ClickAsync("nav button[data-view=tenants]");
        await page.WaitForSelectorAsync("[data-testid=tenants]");
        Assert.Equal(["lab"], await page.Locator(".tenants [data-tenant]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.tenant)"));
        await page.CloseAsync();
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>The page coordinates of a longitude and latitude on the map as it is zoomed now.</summary>
    private async Task<(float X, float Y)> ScreenPointAsync(double lon, double lat)
    {
        var xy = await Page.EvaluateAsync<double[]>("([lon, lat]) => window.meridianMap.screenPoint(lon, lat)", new[] { lon, lat });
        return ((float)xy[0], (float)xy[1]);
    }

    private async Task<string[]?> ClusterOfAsync(string region)
    {
        var cluster = Page.Locator($".cluster[data-regions~='{region}']");
        return await cluster.CountAsync() == 0 ? null : (await cluster.GetAttributeAsync("data-regions"))!.Split(' ');
    }

    private async Task OpenAsync(string view)
    {
        if (view == "region")
        {
            await OpenAsync("world");
            await Page.Locator(".region-list button[data-open='eu-west-1']").ClickAsync();
            await Page.WaitForSelectorAsync("[data-testid=region-title]");
            return;
        }
        await Page.Locator($"nav button[data-view={view}]").ClickAsync();
        var ready = view switch
        {
            "world" => ".region-list",
            "place" => "#place-form",
            "steer" => "#steer-service",
            "plan" => "#plan-form",
            "tenants" => "[data-testid=tenants]",
            _ => "[data-testid=changes]",
        };
        await Page.WaitForSelectorAsync(ready);
    }

    /// <summary>axe-core's serious and critical violations on the page as it is now.</summary>
    private async Task<string[]> AxeAsync()
    {
        // Evaluated through the DevTools protocol: the console's Content-Security-Policy rightly refuses a script tag.
        if (!await Page.EvaluateAsync<bool>("() => typeof axe !== 'undefined'"))
            await Page.EvaluateAsync(await File.ReadAllTextAsync(Axe));
        return await Page.EvaluateAsync<string[]>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)
            """);
    }
}
