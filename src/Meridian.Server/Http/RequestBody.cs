using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;

namespace Meridian.Server.Http;

/// <summary>Reads request bodies with a size limit and turns parse failures into field errors.</summary>
public static class RequestBody
{
    public static async Task<string> ReadTextAsync(HttpContext context, long maxBytes)
    {
        if (context.Request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw RegistryException.Malformed(new FieldError("body", "is not valid UTF-8"));
        }
    }

    /// <summary>Reads a JSON object body.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpContext context, long maxBytes)
    {
        var text = await ReadTextAsync(context, maxBytes);
        if (string.IsNullOrWhiteSpace(text)) throw RegistryException.Malformed(new FieldError("body", "is empty; send a JSON object"));
        return StrictJson.Parse(text) as JsonObject ?? throw RegistryException.Malformed(new FieldError("body", "must be a JSON object"));
    }

    /// <summary>Turns a JSON object into a typed value; a wrong type, unknown field or missing field names the field.</summary>
    public static object Deserialize(JsonObject node, Type type)
    {
        try
        {
            return node.Deserialize(type, MeridianJson.Options) ?? throw RegistryException.Malformed(new FieldError("body", "must not be null"));
        }
        catch (JsonException e)
        {
            throw RegistryException.Malformed(JsonErrors.Describe(e, node, type));
        }
    }

    private static BadHttpRequestException TooLarge(long maxBytes) =>
        new($"The body is larger than {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
}
