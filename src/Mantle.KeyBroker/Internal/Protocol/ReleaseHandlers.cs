using System.Text;
using System.Text.Json;
using Mantle.KeyBroker.Internal.Crypto;
using Mantle.KeyBroker.Internal.Policy;
using Mantle.KeyBroker.Internal.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker.Internal.Protocol;

/// <summary>What attested callers get: resources, certificates, and the public CA and token keys.</summary>
internal sealed class ReleaseHandlers(
    IBrokerStore store,
    IMasterKeyProvider masterKey,
    PolicyResolver policies,
    IPolicyEngine engine,
    TokenService tokens,
    CertificateIssuer issuer,
    BrokerKeys keys,
    TimeProvider time,
    ILogger<ReleaseHandlers> logger)
{
    public static byte[] AssociatedData(string path, long version) => Encoding.UTF8.GetBytes($"mantle-broker/v1\n{path}\n{version}");

    public async Task<IResult> ResourceAsync(HttpContext context, string repo, string type, string tag, CancellationToken cancellationToken)
    {
        var path = $"{repo}/{type}/{tag}";
        if (!ResourcePath.IsValid(repo, type, tag))
        {
            return Problems.BadRequest(ResourcePath.Problem(path));
        }

        var (caller, problem) = await AuthenticateAsync(context, cancellationToken);
        if (caller is null)
        {
            BrokerLog.ReleaseRefused(logger, path, problem!);
            return Problems.Unauthorized(problem!);
        }

        var actor = "tee:" + caller.Key.ThumbprintText;
        var resource = await store.GetCurrentResourceAsync(path, cancellationToken);
        if (resource is null)
        {
            return Problems.NotFound($"No resource '{path}' is registered with this broker.");
        }

        if (resource.State == "revoked")
        {
            const string reason = "the resource was revoked by an administrator";
            BrokerLog.ReleaseRefused(logger, path, reason);
            await store.AppendAuditAsync(new AuditDraft(actor, "resource.release", path, "refused", reason), cancellationToken);
            return Problems.Forbidden($"Resource '{path}' was revoked; ask its owner to register a new version.");
        }

        var policy = await policies.ForResourceAsync(path, cancellationToken);
        if (policy is null)
        {
            return Problems.Forbidden($"Resource '{path}' has no policy and no default policy is configured.");
        }

        var decision = engine.Evaluate(policy, caller.Claims);
        if (!decision.Allowed)
        {
            var reasons = string.Join("; ", decision.Reasons);
            BrokerLog.ReleaseRefused(logger, path, reasons);
            await store.AppendAuditAsync(new AuditDraft(actor, "resource.release", path, "refused", reasons), cancellationToken);
            return Problems.Forbidden($"The attested claims do not satisfy the policy of '{path}': {reasons}", decision.Reasons);
        }

        byte[] plaintext;
        try
        {
            plaintext = masterKey.Decrypt(resource.Ciphertext, AssociatedData(path, resource.Version));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            BrokerLog.StoredResourceUnreadable(logger, path, resource.Version);
            return Problems.Make(StatusCodes.Status500InternalServerError, "Stored resource unreadable",
                $"Resource '{path}' version {resource.Version} does not decrypt under the broker master key: the database was altered or the master key is not the one it was stored with.");
        }

        try
        {
            var jwe = ReleaseEncryptor.Encrypt(plaintext, caller.Key, path, resource.Version);
            await store.AppendAuditAsync(new AuditDraft(actor, "resource.release", path, "ok", $"version={resource.Version}"), cancellationToken);
            BrokerLog.ResourceReleased(logger, path, resource.Version, caller.Key.ThumbprintText);
            return Results.Text(jwe, "application/jose");
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public async Task<IResult> CertificateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (caller, problem) = await AuthenticateAsync(context, cancellationToken);
        if (caller is null)
        {
            BrokerLog.CertificateRefused(logger, problem!);
            return Problems.Unauthorized(problem!);
        }

        var (doc, bodyProblem) = await RequestReader.ReadObjectAsync(context.Request, cancellationToken);
        using var _ = doc;
        var csr = doc is null ? null : RequestReader.GetString(doc.RootElement, "csr");
        if (csr is null)
        {
            return Problems.BadRequest(bodyProblem ?? "'csr' is missing: send {\"csr\": \"-----BEGIN CERTIFICATE REQUEST-----…\"}.");
        }

        var allowed = await AllowedDnsNamesAsync(cancellationToken);
        var outcome = issuer.Issue(csr, caller, allowed);
        var actor = "tee:" + caller.Key.ThumbprintText;
        if (outcome.Pem is null)
        {
            BrokerLog.CertificateRefused(logger, outcome.Problem!);
            if (!outcome.IsRefusal)
            {
                return Problems.BadRequest(outcome.Problem!);
            }

            await store.AppendAuditAsync(new AuditDraft(actor, "certificate.issue", "certificate", "refused", outcome.Problem!), cancellationToken);
            return Problems.Forbidden(outcome.Problem!);
        }

        var names = string.Join(",", outcome.DnsNames);
        await store.AppendAuditAsync(new AuditDraft(actor, "certificate.issue", names, "ok", $"not_after={outcome.NotAfter:O}"), cancellationToken);
        BrokerLog.CertificateIssued(logger, names, caller.Key.ThumbprintText, outcome.NotAfter);
        return Results.Text(outcome.Pem, "application/pem-certificate-chain");
    }

    public IResult Ca() => Results.Text(keys.CaPem, "application/x-pem-file");

    public IResult Jwks() => Results.Json(keys.TokenJwks());

    private async Task<IReadOnlyList<string>> AllowedDnsNamesAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetPolicyAsync(PolicyResolver.CertificateName, cancellationToken);
        if (stored is null)
        {
            return PolicyResolver.DefaultDnsNames;
        }

        using var doc = JsonDocument.Parse(stored);
        return doc.RootElement.GetProperty("dns_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    /// <summary>The caller is the bearer token's TEE key, or the attested session's; both, when given, must name the same key.</summary>
    private async Task<(TokenContents? Caller, string? Problem)> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        TokenContents? fromToken = null;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            fromToken = tokens.Validate(authorization["Bearer ".Length..].Trim(), out var problem);
            if (fromToken is null)
            {
                return (null, problem);
            }
        }

        TokenContents? fromSession = null;
        var sessionId = context.Request.Cookies[KbsProtocol.SessionCookie];
        if (!string.IsNullOrEmpty(sessionId))
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var session = await store.GetSessionAsync(sessionId, now, cancellationToken);
            if (session is { AttestedUntilMs: { } until, TeeJwk: { } jwk, Claims: { } claimsJson } && until > now)
            {
                using var jwkDoc = JsonDocument.Parse(jwk);
                using var claimsDoc = JsonDocument.Parse(claimsJson);
                var claims = AttestationClaimsJson.Parse(claimsDoc.RootElement);
                fromSession = new TokenContents(TeePublicKey.TryParse(jwkDoc.RootElement, out _)!, claims,
                    Convert.ToHexStringLower(AttestationClaimsJson.Digest(claims)), DateTimeOffset.FromUnixTimeMilliseconds(until));
            }
            else if (fromToken is null)
            {
                return (null, "The session is unknown, expired or not attested; call POST /kbs/v0/auth and /kbs/v0/attest again.");
            }
        }

        if (fromToken is not null && fromSession is not null && fromToken.Key.ThumbprintText != fromSession.Key.ThumbprintText)
        {
            return (null, "The attestation token was issued for another TEE key than this session's; send the token of this session.");
        }

        return (fromToken ?? fromSession) is { } caller
            ? (caller, null)
            : (null, "No credentials: send the attestation token as 'Authorization: Bearer …' or the session cookie of an attested session.");
    }
}
