using System.Data;
using System.Data.Common;
using System.Globalization;

namespace Meridian.Storage.Data;

/// <summary>Parameterised commands in the SQL that SQLite and PostgreSQL share: parameters are written <c>@name</c>,
/// times are ISO 8601 text, documents are JSON text.</summary>
public static class Sql
{
    public static int Execute(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(connection, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    public static object? Scalar(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(connection, tx, sql, parameters);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static long Long(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters) =>
        Convert.ToInt64(Scalar(connection, tx, sql, parameters) ?? 0L, CultureInfo.InvariantCulture);

    public static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) Add(cmd, name, value);
        return cmd;
    }

    public static void Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        // A null has no type of its own; PostgreSQL must still know one (text is what every nullable column here holds).
        if (value is null) p.DbType = DbType.String;
        cmd.Parameters.Add(p);
    }

    /// <summary>"@p0, @p1, ..." for an IN list, with its parameters added to <paramref name="cmd"/>.</summary>
    public static string InList(DbCommand cmd, string prefix, IReadOnlyList<object> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = $"@{prefix}{i}";
            Add(cmd, names[i], values[i]);
        }
        return string.Join(", ", names);
    }

    public static string Text(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static string? Text(DateTimeOffset? at) => at is { } v ? Text(v) : null;

    public static DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture);

    public static DateTimeOffset? TimeOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);

    public static string? TextOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static long Int64(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);
}
