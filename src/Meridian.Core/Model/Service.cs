namespace Meridian.Core.Model;

/// <summary>A service a region can offer, such as gpu-compute or the qwen3-max model endpoint.</summary>
/// <param name="DefaultResidency">How far a client's data may travel for it, unless a request says otherwise.</param>
/// <param name="Endpoints">Base URL of the service in each region that has one (region id to URL); the gateway proxies to
/// it and health checks probe it. A region without one is healthy unless an operator marks it down.</param>
/// <param name="ForwardCredentials">Whether the gateway passes callers' Authorization and Cookie headers to the endpoints.
/// Default false: they are stripped, so credentials meant for one place are not handed to another.</param>
public sealed record Service(
    string Id,
    string Name,
    ServiceKind Kind,
    Residency DefaultResidency = Residency.Preferred,
    IReadOnlyDictionary<string, string>? Endpoints = null,
    bool ForwardCredentials = false) : IResource;
