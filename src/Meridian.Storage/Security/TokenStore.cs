using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using System.Data.Common;
using Meridian.Storage.Data;
using Meridian.Storage.Changes;

namespace Meridian.Storage.Security;

/// <summary>API tokens in the world's database. A token reads <c>mrd_{id}_{secret}</c>: the prefix lets secret scanners
/// find leaked ones, the id finds the row, and only HMAC-SHA256(key, token) is stored, compared in constant time.</summary>
public sealed partial class TokenStore(WorldStore store, TokenKey key, TimeProvider? time = null)
{
    public const string Prefix = "mrd_";
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    // last_used_at is written at most once a minute per token: authentication must not turn every read into a write.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _touched = new(StringComparer.Ordinal);
    private static readonly byte[] Decoy = new byte[32];

    [GeneratedRegex("^mrd_([0-9a-f]{12})_[0-9a-f]{48}$")]
    private static partial Regex Shape();

    public Task<(ApiToken Token, string Secret)> CreateAsync(TokenRequest request, string actor, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        Check(request, now);
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        var secret = $"{Prefix}{id}_{Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant()}";
        var token = new ApiToken(id, request.Name, request.Role, request.Tenant, now, actor, request.ExpiresAt, null, null);
        using var connection = store.Database.Open();
        using var tx = store.Database.BeginWrite(connection);
        if (request.Tenant is { } tenant && Sql.Scalar(connection, tx, "SELECT 1 FROM tenants WHERE id = @t" + store.Database.ForUpdate, ("@t", tenant)) is null)
            throw RegistryException.Invalid([new FieldError("tenant", $"no tenant '{tenant}'")]);
        Sql.Execute(connection, tx,
            "INSERT INTO tokens (id, name, role, tenant, secret_hash, created_at, created_by, expires_at) VALUES (@id, @name, @role, @tenant, @hash, @at, @by, @exp)",
            ("@id", id), ("@name", token.Name), ("@role", token.Role.Name()), ("@tenant", token.Tenant),
            ("@hash", Convert.ToHexString(key.Hash(secret))), ("@at", Sql.Text(now)), ("@by", actor), ("@exp", Sql.Text(token.ExpiresAt)));
        Audit.Write(connection, tx, now, actor, "create", "tokens", id, null, token);
        tx.Commit();
        return Task.FromResult((token, secret));
    }

    public Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken ct = default)
    {
        using var connection = store.Database.Open();
        return Task.FromResult<IReadOnlyList<ApiToken>>(Read(connection, null, null).Select(r => r.Token).ToArray());
    }

    public Task<ApiToken?> GetAsync(string id, CancellationToken ct = default)
    {
        using var connection = store.Database.Open();
        return Task.FromResult(Read(connection, null, id).FirstOrDefault()?.Token);
    }

    /// <summary>Revokes a token; null when there is none with that id. Revoking twice keeps the first time.</summary>
    public Task<ApiToken?> RevokeAsync(string id, string actor, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        using var connection = store.Database.Open();
        using var tx = store.Database.BeginWrite(connection);
        var before = Read(connection, tx, id).FirstOrDefault()?.Token;
        if (before is null) return Task.FromResult<ApiToken?>(null);
        if (before.RevokedAt is not null) return Task.FromResult<ApiToken?>(before);
        Sql.Execute(connection, tx, "UPDATE tokens SET revoked_at = @at WHERE id = @id", ("@at", Sql.Text(now)), ("@id", id));
        var after = before with { RevokedAt = now };
        Audit.Write(connection, tx, now, actor, "revoke", "tokens", id, before, after);
        tx.Commit();
        return Task.FromResult<ApiToken?>(after);
    }

    /// <summary>True when some admin token can still be used.</summary>
    public bool HasActiveAdmin()
    {
        using var connection = store.Database.Open();
        return Read(connection, null, null).Any(r => r.Token.Role == Role.Admin && r.Token.ActiveAt(_time.GetUtcNow()));
    }

    /// <summary>The token a presented secret belongs to, if it is well formed, known, matches, and is neither expired nor
    /// revoked; otherwise null and why (for the audit trail only: every failure looks the same to the client). Each path
    /// computes one HMAC and one constant-time comparison, so failures take about the same time.</summary>
    public ApiToken? Authenticate(string presented, out string reason)
    {
        var match = Shape().Match(presented);
        var hash = key.Hash(presented);
        if (!match.Success)
        {
            CryptographicOperations.FixedTimeEquals(hash, Decoy);
            reason = "malformed token";
            return null;
        }
        var id = match.Groups[1].Value;
        using var connection = store.Database.Open();
        var row = Read(connection, null, id).FirstOrDefault();
        if (!CryptographicOperations.FixedTimeEquals(hash, row?.SecretHash ?? Decoy) || row is null)
        {
            reason = row is null ? "unknown token" : "wrong secret";
            return null;
        }
        var token = row.Token;
        var now = _time.GetUtcNow();
        if (token.RevokedAt is not null || token.ExpiresAt <= now)
        {
            reason = token.RevokedAt is not null ? "revoked token" : "expired token";
            return null;
        }
        reason = "";
        if (!_touched.TryGetValue(id, out var last) || now - last >= TimeSpan.FromMinutes(1))
        {
            _touched[id] = now;
            Sql.Execute(connection, null, "UPDATE tokens SET last_used_at = @at WHERE id = @id", ("@at", Sql.Text(now)), ("@id", id));
        }
        return token;
    }

    private static void Check(TokenRequest request, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request.Name)) errors.Add(new("name", "is required: who or what holds the token"));
        else if (request.Name.Length > 100) errors.Add(new("name", "is longer than 100 characters"));
        else if (SafeText.Problem(request.Name) is { } problem) errors.Add(new("name", problem));
        if (request.Role == Role.Member && string.IsNullOrEmpty(request.Tenant)) errors.Add(new("tenant", "is required for a member token"));
        if (request.Role != Role.Member && request.Tenant is not null) errors.Add(new("tenant", $"is only for member tokens; a {request.Role.Name()} is not bound to a tenant"));
        if (request.ExpiresAt is { } expires && expires <= now) errors.Add(new("expiresAt", "is in the past"));
        if (errors.Count > 0) throw RegistryException.Invalid(errors);
    }

    private sealed record Row(ApiToken Token, byte[] SecretHash);

    private static List<Row> Read(DbConnection connection, DbTransaction? tx, string? id)
    {
        using var cmd = Sql.Command(connection, tx,
            "SELECT id, name, role, tenant, created_at, created_by, expires_at, last_used_at, revoked_at, secret_hash FROM tokens " +
            (id is null ? "" : "WHERE id = @id ") + "ORDER BY created_at, id");
        if (id is not null) Sql.Add(cmd, "@id", id);
        using var r = cmd.ExecuteReader();
        var list = new List<Row>();
        while (r.Read())
        {
            var token = new ApiToken(r.GetString(0), r.GetString(1), Roles.Parse(r.GetString(2)) ?? throw new InvalidDataException($"token {r.GetString(0)} has an unknown role"),
                Sql.TextOrNull(r, 3), Sql.Time(r, 4), r.GetString(5), Sql.TimeOrNull(r, 6), Sql.TimeOrNull(r, 7), Sql.TimeOrNull(r, 8));
            list.Add(new Row(token, Convert.FromHexString(r.GetString(9))));
        }
        return list;
    }
}

/// <summary>Entries of the change log that are not world or workload changes (tokens, tenants, health overrides, refused
/// authentications). Their generation is 0: they do not change the world.</summary>
public static class Audit
{
    /// <summary>Writes one entry in the caller's transaction; returns its sequence number.</summary>
    public static long Write(DbConnection c, DbTransaction? tx, DateTimeOffset at, string actor, string action, string kind, string id, object? before, object? after) =>
        ChangeLog.Insert(c, tx, new ChangeRecord(0, at, actor, action, kind, id, 0, Node(before), Node(after)));

    /// <summary>Writes one entry in its own transaction.</summary>
    public static void Record(WorldStore store, DateTimeOffset at, string actor, string action, string kind, string id, object? before, object? after)
    {
        using var connection = store.Database.Open();
        Write(connection, null, at, actor, action, kind, id, before, after);
    }

    private static System.Text.Json.Nodes.JsonNode? Node(object? value) =>
        value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), MeridianJson.Options);
}
