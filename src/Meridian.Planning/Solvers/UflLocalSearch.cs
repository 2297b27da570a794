using Meridian.Planning.Instances;

namespace Meridian.Planning.Solvers;

/// <summary>Best-improvement local search for uncapacitated facility location over add, drop and swap moves. Keeps the
/// best and second-best open facility of every customer, so one pass over the whole neighbourhood (every add, every drop,
/// every swap) costs O(customers x facilities + facilities²) rather than a full evaluation per move.</summary>
internal sealed class UflLocalSearch
{
    private readonly FacilityInstance _instance;
    private readonly int _m;
    private readonly int _n;
    private readonly bool[] _open;
    private readonly int[] _best;
    private readonly double[] _c1;
    private readonly double[] _c2;
    private readonly double[] _save;
    private readonly double[] _dropLoss;
    private readonly double[] _swap;

    public UflLocalSearch(FacilityInstance instance)
    {
        _instance = instance;
        _m = instance.Facilities;
        _n = instance.Customers;
        _open = new bool[_m];
        _best = new int[_n];
        _c1 = new double[_n];
        _c2 = new double[_n];
        _save = new double[_m];
        _dropLoss = new double[_m];
        // Swap corrections are an m x m table; above 4,000 facilities only adds and drops are searched.
        _swap = _m <= 4000 ? new double[_m * _m] : [];
    }

    /// <summary>The cost of serving every customer from the open facilities (infinity when one cannot be served).</summary>
    public double Evaluate(ReadOnlySpan<bool> open)
    {
        double total = 0;
        for (var i = 0; i < _m; i++) if (open[i]) total += _instance.FixedCost[i];
        for (var j = 0; j < _n; j++)
        {
            var row = _instance.CostsOf(j);
            var best = double.PositiveInfinity;
            for (var i = 0; i < _m; i++) if (open[i] && row[i] < best) best = row[i];
            total += best;
        }
        return total;
    }

    /// <summary>Improves a start set until no move helps. Facilities marked Closed never open; Open ones never close.</summary>
    /// <returns>The cost of the local optimum written into <paramref name="result"/>, or infinity if no feasible set exists.</returns>
    public double Improve(ReadOnlySpan<bool> start, ReadOnlySpan<FacilityStatus> status, Span<bool> result, CancellationToken ct = default)
    {
        for (var i = 0; i < _m; i++) _open[i] = status[i] == FacilityStatus.Open || (start[i] && status[i] != FacilityStatus.Closed);
        if (!Cover(status)) return double.PositiveInfinity;
        var cost = Recompute();
        while (!ct.IsCancellationRequested)
        {
            var (delta, drop, add) = BestMove(status);
            if (delta >= -1e-9 * Math.Max(1, Math.Abs(cost))) break;
            if (drop >= 0) _open[drop] = false;
            if (add >= 0) _open[add] = true;
            cost = Recompute();
        }
        _open.CopyTo(result);
        return cost;
    }

    /// <summary>Opens, for each customer nothing open serves, its cheapest facility that may open.</summary>
    private bool Cover(ReadOnlySpan<FacilityStatus> status)
    {
        for (var j = 0; j < _n; j++)
        {
            var row = _instance.CostsOf(j);
            int served = -1, cheapest = -1;
            for (var i = 0; i < _m && served < 0; i++)
            {
                if (!double.IsFinite(row[i])) continue;
                if (_open[i]) served = i;
                else if (status[i] != FacilityStatus.Closed && (cheapest < 0 || row[i] < row[cheapest])) cheapest = i;
            }
            if (served >= 0) continue;
            if (cheapest < 0) return false;
            _open[cheapest] = true;
        }
        return true;
    }

    private double Recompute()
    {
        double total = 0;
        for (var i = 0; i < _m; i++) if (_open[i]) total += _instance.FixedCost[i];
        for (var j = 0; j < _n; j++)
        {
            var row = _instance.CostsOf(j);
            double c1 = double.PositiveInfinity, c2 = double.PositiveInfinity;
            var best = -1;
            for (var i = 0; i < _m; i++)
            {
                if (!_open[i]) continue;
                var c = row[i];
                if (c < c1)
                {
                    c2 = c1;
                    c1 = c;
                    best = i;
                }
                else if (c < c2) c2 = c;
            }
            _best[j] = best;
            _c1[j] = c1;
            _c2[j] = c2;
            total += c1;
        }
        return total;
    }

    /// <summary>The most improving move: (delta, facility to close or -1, facility to open or -1).</summary>
    private (double Delta, int Drop, int Add) BestMove(ReadOnlySpan<FacilityStatus> status)
    {
        var f = _instance.FixedCost;
        Array.Clear(_save);
        var swaps = _swap.Length > 0;
        if (swaps) Array.Clear(_swap);
        var dropLoss = _dropLoss;
        Array.Clear(dropLoss);
        for (var j = 0; j < _n; j++)
        {
            var row = _instance.CostsOf(j);
            var c1 = _c1[j];
            var c2 = _c2[j];
            var owner = _best[j];
            dropLoss[owner] += c2 - c1;
            var corr = swaps ? _swap.AsSpan(owner * _m, _m) : default;
            for (var k = 0; k < _m; k++)
            {
                var c = row[k];
                if (c < c1) _save[k] += c1 - c;
                // When k replaces j's facility, j moves to the cheaper of k and its second choice.
                if (swaps) corr[k] += Math.Min(c2, c) - c1 - Math.Min(0, c - c1);
            }
        }
        double bestDelta = 0;
        int bestDrop = -1, bestAdd = -1;
        for (var k = 0; k < _m; k++)
        {
            if (_open[k])
            {
                if (status[k] == FacilityStatus.Open) continue;
                var d = dropLoss[k] - f[k];
                if (d < bestDelta) (bestDelta, bestDrop, bestAdd) = (d, k, -1);
            }
            else if (status[k] != FacilityStatus.Closed)
            {
                var d = f[k] - _save[k];
                if (d < bestDelta) (bestDelta, bestDrop, bestAdd) = (d, -1, k);
            }
        }
        if (!swaps) return (bestDelta, bestDrop, bestAdd);
        for (var i = 0; i < _m; i++)
        {
            if (!_open[i] || status[i] == FacilityStatus.Open) continue;
            var corr = _swap.AsSpan(i * _m, _m);
            for (var k = 0; k < _m; k++)
            {
                if (_open[k] || status[k] == FacilityStatus.Closed) continue;
                var d = f[k] - f[i] - _save[k] + corr[k];
                if (d < bestDelta) (bestDelta, bestDrop, bestAdd) = (d, i, k);
            }
        }
        return (bestDelta, bestDrop, bestAdd);
    }
}

/// <summary>A facility's state in a branch-and-bound node.</summary>
public enum FacilityStatus : sbyte
{
    Free = 0,
    Open = 1,
    Closed = -1,
}
