using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Meridian.Cli.Bench;

/// <summary>What <c>meridian bench proxy</c> serves: the floors bench/gateway.sh measures the gateway against.</summary>
internal enum ProxyMode
{
    /// <summary>YARP's direct forwarding, nothing else in the pipeline: the floor for any gateway built on YARP.</summary>
    Yarp,

    /// <summary>Kestrel and a pooled SocketsHttpHandler with no YARP: headers and body copied by hand.</summary>
    Lean,

    /// <summary>Kestrel answering "ok" itself: the ceiling for anything served by Kestrel on the same core.</summary>
    Kestrel,
}

/// <summary>Forwarding at its leanest: every request to one backend, no routing, no logging.</summary>
internal static class BareProxy
{
    public static WebApplication Build(string urls, string backend, ProxyMode mode, bool inlineScheduling)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        // Inline scheduling runs the application on the socket's I/O thread instead of queueing it to the thread pool.
        if (inlineScheduling) builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false, ActivityHeadersPropagator = null,
        });
        switch (mode)
        {
            case ProxyMode.Yarp:
                var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
                app.Run(async http => await forwarder.SendAsync(http, backend, invoker, ForwarderRequestConfig.Empty, HttpTransformer.Empty));
                break;
            case ProxyMode.Lean:
                var lean = new LeanForwarder(invoker, backend.TrimEnd('/'));
                app.Run(lean.ForwardAsync);
                break;
            default:
                var ok = "ok\n"u8.ToArray();
                app.Run(http =>
                {
                    http.Response.ContentType = "text/plain";
                    http.Response.ContentLength = ok.Length;
                    return http.Response.Body.WriteAsync(ok).AsTask();
                });
                break;
        }
        return app;
    }
}

/// <summary>An HTTP/1.1 forwarder without YARP: what YARP's own work costs is what this one does not do (its transforms,
/// telemetry, activity timeout, error classification, HTTP/2 negotiation).</summary>
internal sealed class LeanForwarder(HttpMessageInvoker invoker, string backend)
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    public async Task ForwardAsync(HttpContext http)
    {
        var request = http.Request;
        using var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), backend + request.Path.Value + request.QueryString.Value)
        {
            Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0) message.Content = new StreamContent(request.Body);
        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values)) message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
        }
        HttpResponseMessage response;
        try
        {
            response = await invoker.SendAsync(message, http.RequestAborted);
        }
        catch (HttpRequestException)
        {
            http.Response.StatusCode = StatusCodes.Status502BadGateway; // as YARP answers a backend it cannot reach
            return;
        }
        using var _ = response;
        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers)
            if (!HopByHop.Contains(name)) http.Response.Headers[name] = values.ToArray();
        foreach (var (name, values) in response.Content.Headers)
            http.Response.Headers[name] = values.ToArray();
        await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
    }
}
