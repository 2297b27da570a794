using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Meridian.Cli.Bench;

/// <summary>YARP's direct forwarding at its leanest: every request to one backend, no routing, no logging.</summary>
internal static class BareProxy
{
    public static WebApplication Build(string urls, string backend)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false, ActivityHeadersPropagator = null,
        });
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        app.Run(async http => await forwarder.SendAsync(http, backend, invoker, ForwarderRequestConfig.Empty, HttpTransformer.Empty));
        return app;
    }
}
