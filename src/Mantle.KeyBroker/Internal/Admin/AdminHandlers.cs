using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Mantle.KeyBroker.Internal.Policy;
using Mantle.KeyBroker.Internal.Protocol;
using Mantle.KeyBroker.Internal.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Internal.Admin;

/// <summary>Administration: resources, policies, audit. Every change and its audit entry commit together.</summary>
internal sealed class AdminHandlers(
    IBrokerStore store,
    IMasterKeyProvider masterKey,
    IPolicyEngine engine,
    PolicyResolver policies,
    IOptions<KeyBrokerOptions> options,
    TimeProvider time,
    ILogger<AdminHandlers> logger)
{
    /// <summary>The most audit entries one call returns.</summary>
    public const int MaxAuditPage = 10_000;

    private static readonly IntegerParameter AuditAfter = new("after", "the sequence number to read after", 0, 0, long.MaxValue);
    private static readonly IntegerParameter AuditLimit = new("limit", "the most entries to return", 1000, 1, MaxAuditPage);

    public async Task<IResult> ListAsync(CancellationToken cancellationToken) =>
        Results.Json(await store.ListResourcesAsync(cancellationToken));

    public Task<IResult> PutAsync(HttpContext context, string repo, string type, string tag, CancellationToken cancellationToken) =>
        WriteAsync(context, repo, type, tag, ResourceWriteMode.Create, cancellationToken);

    public Task<IResult> RotateAsync(HttpContext context, string repo, string type, string tag, CancellationToken cancellationToken) =>
        WriteAsync(context, repo, type, tag, ResourceWriteMode.Rotate, cancellationToken);

    public async Task<IResult> RevokeAsync(HttpContext context, string repo, string type, string tag, CancellationToken cancellationToken)
    {
        var path = $"{repo}/{type}/{tag}";
        if (!ResourcePath.IsValid(repo, type, tag))
        {
            return Problems.BadRequest(ResourcePath.Problem(path));
        }

        var actor = Actor(context);
        var count = await store.RevokeResourceAsync(path, new AuditDraft(actor, "resource.revoke", path, "ok", ""), cancellationToken);
        if (count == 0)
        {
            return Problems.NotFound($"No unrevoked resource '{path}'.");
        }

        BrokerLog.AdminChange(logger, actor, "resource.revoke", path);
        return Results.Json(new Dictionary<string, object> { ["path"] = path, ["revoked_versions"] = count });
    }

    public async Task<IResult> GetPolicyAsync(string name, CancellationToken cancellationToken)
    {
        var document = name == PolicyResolver.DefaultName
            ? await policies.DefaultAsync(cancellationToken)
            : await store.GetPolicyAsync(name, cancellationToken);
        return document is null
            ? Problems.NotFound($"No policy '{name}' is set.")
            : Results.Text(document, "application/json");
    }

    public async Task<IResult> SetPolicyAsync(HttpContext context, string name, CancellationToken cancellationToken)
    {
        var (doc, problem) = await RequestReader.ReadObjectAsync(context.Request, cancellationToken);
        using var _ = doc;
        if (doc is null)
        {
            return Problems.BadRequest(problem!);
        }

        var document = doc.RootElement.GetRawText();
        var invalid = name == PolicyResolver.CertificateName ? ValidateCertificatePolicy(doc.RootElement) : engine.Validate(document);
        if (invalid is not null)
        {
            return Problems.BadRequest($"The policy is not valid: {invalid}");
        }

        var actor = Actor(context);
        await store.SetPolicyAsync(name, document, time.GetUtcNow().ToUnixTimeMilliseconds(),
            new AuditDraft(actor, "policy.set", name, "ok", "sha256=" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(document)))), cancellationToken);
        BrokerLog.AdminChange(logger, actor, "policy.set", name);
        return Results.Json(new Dictionary<string, object> { ["policy"] = name });
    }

    public async Task<IResult> DeletePolicyAsync(HttpContext context, string name, CancellationToken cancellationToken)
    {
        var actor = Actor(context);
        await store.SetPolicyAsync(name, null, time.GetUtcNow().ToUnixTimeMilliseconds(), new AuditDraft(actor, "policy.delete", name, "ok", ""), cancellationToken);
        BrokerLog.AdminChange(logger, actor, "policy.delete", name);
        return Results.NoContent();
    }

    public async Task<IResult> AuditAsync(IQueryCollection query, CancellationToken cancellationToken)
    {
        if (!AuditAfter.TryRead(query, out var after, out var problem) || !AuditLimit.TryRead(query, out var limit, out problem))
        {
            return Problems.BadRequest(problem);
        }

        return Results.Json(await store.ReadAuditAsync(after, (int)limit, cancellationToken));
    }

    private async Task<IResult> WriteAsync(HttpContext context, string repo, string type, string tag, ResourceWriteMode mode, CancellationToken cancellationToken)
    {
        var path = $"{repo}/{type}/{tag}";
        if (!ResourcePath.IsValid(repo, type, tag))
        {
            return Problems.BadRequest(ResourcePath.Problem(path));
        }

        var (doc, problem) = await RequestReader.ReadObjectAsync(context.Request, cancellationToken);
        using var _ = doc;
        if (doc is null)
        {
            return Problems.BadRequest(problem!);
        }

        byte[] data;
        try
        {
            data = Convert.FromBase64String(RequestReader.GetString(doc.RootElement, "data") ?? throw new FormatException());
        }
        catch (FormatException)
        {
            return Problems.BadRequest("'data' must be the resource bytes as base64 text.");
        }

        if (data.Length == 0 || data.Length > options.Value.MaxResourceSize)
        {
            return Problems.TooLarge($"A resource must be 1 to {options.Value.MaxResourceSize} bytes; this one has {data.Length}.");
        }

        string? policy = null;
        if (doc.RootElement.TryGetProperty("policy", out var policyElement) && policyElement.ValueKind != JsonValueKind.Null)
        {
            policy = policyElement.GetRawText();
            if (engine.Validate(policy) is { } invalid)
            {
                return Problems.BadRequest($"The policy is not valid: {invalid}");
            }
        }

        var actor = Actor(context);
        var action = mode == ResourceWriteMode.Create ? "resource.put" : "resource.rotate";
        try
        {
            var result = await store.WriteResourceAsync(path, mode, data.Length, time.GetUtcNow().ToUnixTimeMilliseconds(),
                version => masterKey.Encrypt(data, ReleaseHandlers.AssociatedData(path, version)), policy,
                new AuditDraft(actor, action, path, "ok", ""), cancellationToken);
            switch (result.Status)
            {
                case ResourceWriteStatus.AlreadyExists:
                    return Problems.Conflict($"Resource '{path}' exists (version {result.Version}); use 'resource rotate' to store a new version.");
                case ResourceWriteStatus.NotFound:
                    return Problems.NotFound($"No resource '{path}' to rotate; use 'resource put' first.");
            }

            BrokerLog.AdminChange(logger, actor, action, path);
            var body = new Dictionary<string, object> { ["path"] = path, ["version"] = result.Version };
            return mode == ResourceWriteMode.Create ? Results.Json(body, statusCode: StatusCodes.Status201Created) : Results.Json(body);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    private static string? ValidateCertificatePolicy(JsonElement root)
    {
        if (!root.TryGetProperty("dns_names", out var names) || names.ValueKind != JsonValueKind.Array ||
            names.GetArrayLength() == 0 || names.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(n.GetString())))
        {
            return "a certificate policy is {\"dns_names\": [\"name\" or \"*.domain\", …]} with at least one name";
        }

        return null;
    }

    private static string Actor(HttpContext context) => context.Items[AdminAuthFilter.ActorItem] as string ?? "admin";

    /// <summary>An optional integer query parameter with its range.</summary>
    private sealed record IntegerParameter(string Name, string Meaning, long Default, long Min, long Max)
    {
        /// <summary>Reads the value (the default when absent); false, with the problem, when it is not one integer in range.</summary>
        public bool TryRead(IQueryCollection query, out long value, out string problem)
        {
            problem = "";
            value = Default;
            if (!query.TryGetValue(Name, out var values))
            {
                return true;
            }

            if (values.Count == 1 && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= Min && value <= Max)
            {
                return true;
            }

            problem = $"Query parameter '{Name}' ({Meaning}) must be given once, as an integer from {Min} to {Max}.";
            return false;
        }
    }
}
