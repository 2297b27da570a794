using System.Text;

namespace Meridian.Storage.Worlds;

/// <summary>A small RFC 4180 reader: comma-separated, double-quoted fields may hold commas, quotes ("") and line breaks.</summary>
public static class Csv
{
    public static IEnumerable<IReadOnlyDictionary<string, string>> ReadWithHeader(TextReader reader)
    {
        using var rows = Read(reader).GetEnumerator();
        if (!rows.MoveNext()) yield break;
        var header = rows.Current;
        while (rows.MoveNext())
        {
            var row = rows.Current;
            if (row.Count == 1 && row[0].Length == 0) continue;
            var dict = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++) dict[header[i]] = i < row.Count ? row[i] : "";
            yield return dict;
        }
    }

    public static IEnumerable<IReadOnlyList<string>> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            if (quoted)
            {
                if (ch != '"') field.Append(ch);
                else if (reader.Peek() == '"') field.Append((char)reader.Read());
                else quoted = false;
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (ch == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                yield return fields;
                fields = [];
            }
            else field.Append(ch);
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString().TrimEnd('\r'));
            yield return fields;
        }
    }
}
