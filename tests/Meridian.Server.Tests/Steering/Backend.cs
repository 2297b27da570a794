using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Meridian.Server.Tests.Steering;

/// <summary>A real HTTP backend on a loopback port standing in for a regional model endpoint.</summary>
public sealed class Backend : IAsyncDisposable
{
    private WebApplication? _app;

    public string Name { get; private init; } = "";
    public string Url { get; private set; } = "";
    public int HealthStatus { get; set; } = 200;

    private int _requests;

    /// <summary>Requests that reached the backend, health checks aside.</summary>
    public int Requests => Volatile.Read(ref _requests);
    /// <summary>Released by the test to let a stream finish after its first event.</summary>
    public TaskCompletionSource FinishStream { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<Backend> StartAsync(string name)
    {
        var backend = new Backend { Name = name };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            if (http.Request.Path != "/health") Interlocked.Increment(ref backend._requests);
            await next(http);
        });
        // Written out: a lambda of HttpContext alone binds as a RequestDelegate, whose returned result would be dropped.
        app.MapPost("/v1/echo", async (HttpContext http) => await http.Response.WriteAsync($"{name} got {await new StreamReader(http.Request.Body).ReadToEndAsync()}"));
        app.MapGet("/health", () => Results.StatusCode(backend.HealthStatus));
        app.MapGet("/v1/echo", (HttpContext http) => Results.Text($"{name} {http.Request.QueryString}"));
        // What credentials and location claims reached the backend.
        app.MapGet("/v1/headers", (HttpContext http) => Results.Json(new Dictionary<string, string?>
        {
            ["authorization"] = http.Request.Headers.Authorization.ToString(),
            ["cookie"] = http.Request.Headers.Cookie.ToString(),
            ["country"] = http.Request.Headers["X-Client-Country"].ToString(),
        }));
        app.MapGet("/v1/stream", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync($"data: first from {name}\n\n");
            await http.Response.Body.FlushAsync();
            await backend.FinishStream.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await http.Response.WriteAsync("data: last\n\n");
        });
        await app.StartAsync();
        backend._app = app;
        backend.Url = app.Urls.First();
        return backend;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
