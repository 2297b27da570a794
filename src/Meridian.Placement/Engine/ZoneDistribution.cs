namespace Meridian.Placement.Engine;

/// <summary>Splits N replicas over zones with capacities, so that at least minZones zones are used, no zone gets more
/// than it can take, and the counts of the zones used differ by at most maxSkew.</summary>
internal static class ZoneDistribution
{
    /// <param name="caps">How many replicas each zone can take, in order of preference.</param>
    /// <param name="widest">Use as many zones as possible (spread) rather than as few as possible (pack).</param>
    /// <returns>Replicas per zone (same order as caps), or null when no split satisfies the constraints.</returns>
    public static int[]? Solve(IReadOnlyList<int> caps, int replicas, int minZones, int maxSkew, bool widest)
    {
        var usable = 0;
        foreach (var c in caps) if (c > 0) usable++;
        var most = Math.Min(usable, replicas);
        if (most < minZones) return null;
        var order = new int[usable];
        var keys = new long[usable];
        for (int i = 0, j = 0; i < caps.Count; i++)
        {
            if (caps[i] <= 0) continue;
            order[j] = i;
            keys[j++] = -(long)caps[i] * caps.Count + i; // most room first, then preference order
        }
        Array.Sort(keys, order);

        for (var k = 0; k <= most - minZones; k++)
        {
            var m = widest ? most - k : minZones + k;
            // The m zones with the most room are the best chance for this many zones.
            var chosen = order[..m];
            Array.Sort(chosen);
            var chosenCaps = new int[m];
            for (var j = 0; j < m; j++) chosenCaps[j] = caps[chosen[j]];
            var counts = Split(chosenCaps, replicas, maxSkew);
            if (counts is null) continue;
            var result = new int[caps.Count];
            for (var j = 0; j < chosen.Length; j++) result[chosen[j]] = counts[j];
            return result;
        }
        return null;
    }

    /// <summary>Counts for exactly these zones, each at least 1: the lowest count lo is as high as the total allows,
    /// and the rest go, in order, to zones with room up to lo + maxSkew.</summary>
    private static int[]? Split(int[] caps, int replicas, int maxSkew)
    {
        var m = caps.Length;
        var lo = replicas / m;
        foreach (var c in caps) lo = Math.Min(lo, c);
        if (lo < 1) return null;
        long ceiling = 0;
        foreach (var c in caps) ceiling += Math.Min(c, (long)lo + maxSkew);
        if (ceiling < replicas) return null;
        var counts = Enumerable.Repeat(lo, m).ToArray();
        var left = replicas - lo * m;
        while (left > 0)
        {
            var progressed = false;
            for (var j = 0; j < m && left > 0; j++)
            {
                if (counts[j] < caps[j] && counts[j] < lo + maxSkew)
                {
                    counts[j]++;
                    left--;
                    progressed = true;
                }
            }
            if (!progressed) return null;
        }
        return counts;
    }
}
