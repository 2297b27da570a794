namespace Meridian.Server.Http;

/// <summary>Who makes a write, for the change log: the X-Meridian-Actor header, else "anonymous".</summary>
public static class Actor
{
    public const string Header = "X-Meridian-Actor";

    public static string Of(HttpContext context)
    {
        var value = context.Request.Headers[Header].ToString().Trim();
        return value.Length is > 0 and <= 100 ? value : "anonymous";
    }
}
