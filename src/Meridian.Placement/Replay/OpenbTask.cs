using Meridian.Placement.Model;

namespace Meridian.Placement.Replay;

/// <summary>One task of the openb pod list: what it asks for, and the GPU models it accepts (empty: any).</summary>
public sealed record OpenbTask(string Name, Resources Resources, IReadOnlyList<string> GpuModels);
