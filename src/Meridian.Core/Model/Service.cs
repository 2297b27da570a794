namespace Meridian.Core.Model;

/// <summary>A service a region can offer, such as gpu-compute or the qwen3-max model endpoint.</summary>
public sealed record Service(string Id, string Name, ServiceKind Kind, Residency DefaultResidency = Residency.Preferred) : IResource;
