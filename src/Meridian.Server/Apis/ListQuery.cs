using System.Globalization;
using System.Text;
using Meridian.Core.Registry;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;

namespace Meridian.Server.Apis;

/// <summary>A list request: the resource filter from the query string, and the page (limit, cursor).</summary>
internal sealed record ListQuery(ResourceFilter Filter, int Limit, string? After)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static ListQuery Parse(ResourceKind kind, IQueryCollection query, World world, DateOnly today)
    {
        var filters = query.Where(q => q.Key is not ("limit" or "cursor")).ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
        return new ListQuery(
            ResourceFilter.Parse(kind, filters, world, today),
            query["limit"].ToString() is { Length: > 0 } l ? ParseLimit(l) : DefaultLimit,
            query["cursor"].ToString() is { Length: > 0 } c ? DecodeCursor(c) : null);
    }

    public static int ParseLimit(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit
            ? n
            : throw Problems.BadQuery("limit", $"'{value}' is not a whole number from 1 to {MaxLimit}");

    public static string EncodeCursor(string id) => Convert.ToBase64String(Encoding.UTF8.GetBytes(id)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeCursor(string cursor)
    {
        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            return Encoding.UTF8.GetString(Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=')));
        }
        catch (FormatException)
        {
            throw Problems.BadQuery("cursor", "is not a cursor this server issued; use the 'next' link of the previous page");
        }
    }
}
