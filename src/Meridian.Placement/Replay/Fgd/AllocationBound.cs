using Google.OrTools.LinearSolver;
using Meridian.Placement.Capacity;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Replay.Fgd;

/// <summary>A bound: no placement of these tasks on these nodes, offline or online, allocates more than
/// <see cref="Gpus"/> GPUs.</summary>
public sealed record BoundResult(double Gpus, double Capacity, int TaskClasses, int NodeTypes)
{
    public double Percent => 100 * Gpus / Capacity;
}

/// <summary>An upper bound on the GPUs any policy could allocate to a set of arrived tasks: the offline optimum of a
/// relaxation, solved as a linear program (OR-Tools' GLOP). Nodes are grouped into types and tasks into classes;
/// x[c,t] tasks of class c go to nodes of type t (fractions allowed) within the type's total CPU, memory and GPU
/// (whole GPUs for multi-GPU tasks, shares within the rest), only where one task fits an empty node (GPU model
/// included), and at most one per node of the tasks that need more than half of a node's GPUs, CPU or memory. Every
/// real placement satisfies these, so the optimum is at least what any placement achieves. What it leaves out (how CPU
/// and GPU shares split between the nodes of a type) is where it is loose.</summary>
public static class AllocationBound
{
    public static BoundResult Solve(IReadOnlyList<HostSpec> nodes, IEnumerable<OpenbTask> tasks)
    {
        var types = nodes.GroupBy(n => (n.VcpuMilli, n.MemoryMiB, n.Gpus, n.GpuModel))
            .Select(g => (g.Key.VcpuMilli, g.Key.MemoryMiB, g.Key.Gpus, g.Key.GpuModel, Count: g.Count())).ToArray();
        var classes = tasks.GroupBy(t => (t.Resources, Models: HostStateKeys.Models(t.GpuModels)))
            .Select(g => (g.Key.Resources, Models: HostStateKeys.SplitModels(g.Key.Models), Count: g.Count())).ToArray();
        var capacity = nodes.Sum(n => (double)n.Gpus);
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools has no LP solver here");
        var objective = solver.Objective();
        var perClass = classes.Select(c => solver.MakeConstraint(0, c.Count, "")).ToArray();
        foreach (var t in types)
        {
            var cpu = solver.MakeConstraint(0, (double)t.Count * t.VcpuMilli, "");
            var memory = solver.MakeConstraint(0, (double)t.Count * t.MemoryMiB, "");
            var gpuMilli = solver.MakeConstraint(0, (double)t.Count * t.Gpus * 1000, "");
            var wholeGpus = solver.MakeConstraint(0, (double)t.Count * t.Gpus, "");
            var big = solver.MakeConstraint(0, t.Count, "");
            for (var i = 0; i < classes.Length; i++)
            {
                var (r, models, count) = classes[i];
                var fits = r.VcpuMilli <= t.VcpuMilli && r.MemoryMiB <= t.MemoryMiB && r.Gpus <= t.Gpus &&
                           (r.Gpus == 0 || models.Count == 0 || (t.GpuModel is not null && models.Contains(t.GpuModel)));
                if (!fits) continue;
                var x = solver.MakeNumVar(0, count, "");
                perClass[i].SetCoefficient(x, 1);
                cpu.SetCoefficient(x, r.VcpuMilli);
                memory.SetCoefficient(x, r.MemoryMiB);
                gpuMilli.SetCoefficient(x, r.TotalGpuMilli);
                if (r.Gpus > 0 && r.GpuMilli >= 1000) wholeGpus.SetCoefficient(x, r.Gpus);
                // Two tasks that each need more than half of a node cannot share one.
                if (2 * r.Gpus > t.Gpus && r.Gpus > 0 || 2L * r.VcpuMilli > t.VcpuMilli || 2 * r.MemoryMiB > t.MemoryMiB) big.SetCoefficient(x, 1);
                objective.SetCoefficient(x, r.TotalGpuMilli / 1000.0);
            }
        }
        objective.SetMaximization();
        var status = solver.Solve();
        if (status != Solver.ResultStatus.OPTIMAL) throw new InvalidOperationException($"the bound's LP ended {status}");
        return new BoundResult(objective.Value(), capacity, classes.Length, types.Length);
    }
}
