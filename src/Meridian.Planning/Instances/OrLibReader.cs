using System.Globalization;

namespace Meridian.Planning.Instances;

/// <summary>Reads Beasley's OR-Library facility-location format: <c>m n</c>; m lines <c>capacity fixed</c> (the capacity
/// may be the word "capacity", meaning none); then per customer its demand and m costs of serving all of its demand.
/// Errors name the line and the token.</summary>
public static class OrLibReader
{
    public static FacilityInstance Read(string path) => Read(File.OpenText(path), Path.GetFileNameWithoutExtension(path), Path.GetFileName(path));

    public static FacilityInstance Read(TextReader reader, string name, string? source = null)
    {
        using var tokens = new Tokens(reader, source ?? name);
        var m = tokens.Int("the number of facilities");
        var n = tokens.Int("the number of customers");
        if (m <= 0) tokens.Fail("the number of facilities must be positive");
        if (n <= 0) tokens.Fail("the number of customers must be positive");
        if ((long)m * n > 200_000_000) tokens.Fail($"{m} x {n} is too large an instance");
        var capacity = new double[m];
        var fixedCost = new double[m];
        for (var i = 0; i < m; i++)
        {
            capacity[i] = tokens.NumberOrWord("capacity", $"the capacity of facility {i + 1}", double.PositiveInfinity);
            fixedCost[i] = tokens.NonNegative($"the fixed cost of facility {i + 1}");
        }
        var demand = new double[n];
        var cost = new double[(long)m * n];
        for (var j = 0; j < n; j++)
        {
            demand[j] = tokens.NonNegative($"the demand of customer {j + 1}");
            for (var i = 0; i < m; i++) cost[j * m + i] = tokens.NonNegative($"the cost of serving customer {j + 1} from facility {i + 1}");
        }
        tokens.End();
        return new FacilityInstance(name, fixedCost, capacity, demand, cost);
    }

    private sealed class Tokens(TextReader reader, string source) : IDisposable
    {
        private string[] _line = [];
        private int _index;
        private int _lineNumber;
        private string _token = "";

        public int Int(string what)
        {
            var t = Next(what);
            if (!int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) Fail($"expected {what} (an integer), found '{t}'");
            return v;
        }

        public double NonNegative(string what)
        {
            var t = Next(what);
            if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                Fail($"expected {what} (a number), found '{t}'");
            if (v < 0) Fail($"{what} is negative ({t})");
            return v;
        }

        public double NumberOrWord(string word, string what, double wordValue)
        {
            var t = Next(what);
            if (string.Equals(t, word, StringComparison.OrdinalIgnoreCase)) return wordValue;
            _index--;
            return NonNegative(what);
        }

        public void End()
        {
            if (TryNext(out var extra)) Fail($"unexpected token '{extra}' after the last customer");
        }

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        public void Fail(string message) => throw new FormatException($"{source}:{_lineNumber}: token '{_token}': {message}");

        private string Next(string what)
        {
            if (!TryNext(out var t)) throw new FormatException($"{source}:{_lineNumber}: the file ends where {what} was expected");
            return t;
        }

        private bool TryNext(out string token)
        {
            while (_index >= _line.Length)
            {
                var text = reader.ReadLine();
                if (text is null)
                {
                    token = "";
                    return false;
                }
                _lineNumber++;
                _line = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                _index = 0;
            }
            token = _token = _line[_index++];
            return true;
        }

        public void Dispose() => reader.Dispose();
    }
}
