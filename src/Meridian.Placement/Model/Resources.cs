namespace Meridian.Placement.Model;

/// <summary>What one replica needs. CPU in milli-cores and memory in MiB, as the openb trace counts them.
/// GPUs: <see cref="Gpus"/> devices with <see cref="GpuMilli"/> thousandths of each; a GPU-sharing task asks for
/// one GPU with less than 1000 (it shares a physical GPU with others).</summary>
public readonly record struct Resources(int VcpuMilli, long MemoryMiB, int Gpus = 0, int GpuMilli = 1000)
{
    public static Resources Of(double vcpu, double memoryGiB, int gpus = 0, double gpuShare = 1.0) =>
        new((int)Math.Round(vcpu * 1000), (long)Math.Round(memoryGiB * 1024), gpus, gpus == 0 ? 0 : (int)Math.Round(gpuShare * 1000));

    /// <summary>Part of one GPU (a GPU-sharing task), not whole GPUs.</summary>
    public bool IsGpuShare => Gpus == 1 && GpuMilli < 1000;

    /// <summary>GPU thousandths asked for in all.</summary>
    public long TotalGpuMilli => (long)Gpus * GpuMilli;

    public override string ToString() =>
        $"{VcpuMilli / 1000.0:0.###} vCPU, {MemoryMiB / 1024.0:0.###} GiB" +
        (Gpus == 0 ? "" : GpuMilli >= 1000 ? $", {Gpus} GPU" : $", {GpuMilli / 1000.0:0.###} of a GPU");
}
