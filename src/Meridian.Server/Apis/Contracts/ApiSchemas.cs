using System.Text.Json.Serialization;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Meridian.Server.Apis.Contracts;

/// <summary>A region's zone and its status on the view date, as region answers list them.</summary>
public sealed record ZoneStatusView(string Id, LifecycleStatus Status);

/// <summary>What the schemas cannot learn from the types: null members are left out of answers; resources are answered in their stored shape plus what is
/// derived on the view date (ResourceViews: lifecycle resources their status, regions their zones), and a plan's
/// result, kept as JSON, is one of two planners' answers.</summary>
internal static class ApiSchemas
{
    /// <summary>Meridian leaves a null member out of its answers (unless it says JsonIgnore Never), so a member that may
    /// be null may be missing: it is not required, whatever the constructor says.</summary>
    private static void OmittedNulls(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (schema.Required is not { Count: > 0 } required) return;
        foreach (var p in context.JsonTypeInfo.Properties)
        {
            var alwaysWritten = p.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), false)
                .OfType<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.Never) ?? false;
            if (p.IsGetNullable && !alwaysWritten) required.Remove(p.Name);
        }
    }

    public static async Task Complete(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        OmittedNulls(schema, context);
        if (type == typeof(PlanView) && schema.Properties is not null)
        {
            // A plan's result is an expansion plan or a closure report (JsonNode on the server, where jobs store it).
            schema.Properties["result"] = new OpenApiSchema
            {
                Description = "Once the plan has succeeded: an ExpansionPlan (kind expansion) or a ClosureReport (kind closure); left out of lists.",
                OneOf = [await context.GetOrCreateSchemaAsync(typeof(Meridian.Planning.Expansion.ExpansionPlan), cancellationToken: ct),
                    await context.GetOrCreateSchemaAsync(typeof(Meridian.Planning.Expansion.ClosureReport), cancellationToken: ct)],
            };
            return;
        }
        if (!typeof(ILifecycleResource).IsAssignableFrom(type) || schema.Properties is null) return;
        var status = await context.GetOrCreateSchemaAsync(typeof(LifecycleStatus), cancellationToken: ct);
        status.Description = "The status on the view date (today, or asOf), derived from the history; on create, may be given instead of a history.";
        schema.Properties["status"] = status;
        if (type == typeof(Region))
        {
            var zones = await context.GetOrCreateSchemaAsync(typeof(IReadOnlyList<ZoneStatusView>), cancellationToken: ct);
            zones.Description = "The region's zones that exist on the view date, with their status (read-only).";
            zones.ReadOnly = true;
            schema.Properties["zones"] = zones;
        }
    }
}
