using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Meridian.Server.Tests.Console;

/// <summary>A logged-in admin's console in Debian's Chromium, driven by Playwright, against a real server on loopback.
/// Screenshots are saved under the test output's console-screenshots folder.</summary>
public abstract class ConsolePage : IAsyncLifetime
{
    protected MeridianHost Host { get; private set; } = null!;
    private IPlaywright _playwright = null!;
    protected IBrowser Browser { get; private set; } = null!;
    protected IPage Page { get; private set; } = null!;
    protected readonly List<string> ConsoleErrors = [];

    protected static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    public async Task InitializeAsync()
    {
        Host = await MeridianHost.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        Page.Console += (_, m) => { if (m.Type == "error") ConsoleErrors.Add(m.Text); };
        Page.PageError += (_, e) => ConsoleErrors.Add(e);
        await Page.GotoAsync(Host.Http.BaseAddress!.ToString());
        await LoginAsync(Host.AdminToken);
        await Page.WaitForSelectorAsync("body[data-ready=true]");
    }

    protected async Task LoginAsync(string token)
    {
        await Page.WaitForSelectorAsync("#login[open]");
        await Page.FillAsync("#login input[name=token]", token);
        await Page.ClickAsync("#login button[type=submit]");
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Host.DisposeAsync();
    }

    protected async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(Screenshots);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });
    }

    /// <summary>Zooms in on a region's cluster until its own marker shows (regions close together share one marker).</summary>
    protected async Task RevealAsync(string region)
    {
        var marker = Page.Locator($"[data-region-id='{region}']");
        for (var i = 0; i < 6 && !await marker.IsVisibleAsync(); i++)
            await Page.Locator($".cluster[data-regions~='{region}']").ClickAsync();
        Assert.True(await marker.IsVisibleAsync(), $"{region} is still inside a cluster");
    }
}
