namespace Meridian.Core.Model;

public enum ServiceKind
{
    Compute,
    GpuCompute,
    MlPlatform,
    Analytics,
    ModelEndpoint,
}
