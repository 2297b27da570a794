namespace Meridian.Server.Tests;

/// <summary>A test class that gets a fresh server and database for every test, for tests that write.</summary>
public abstract class ServerTest : IAsyncLifetime
{
    protected MeridianHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await MeridianHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
