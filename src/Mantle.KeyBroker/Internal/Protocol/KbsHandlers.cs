using System.Security.Cryptography;
using System.Text.Json;
using Jose;
using Mantle.Attestation;
using Mantle.KeyBroker.Internal.Crypto;
using Mantle.KeyBroker.Internal.Policy;
using Mantle.KeyBroker.Internal.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Internal.Protocol;

/// <summary>The attestation side of the protocol: auth and attest.</summary>
internal sealed class KbsHandlers(
    IBrokerStore store,
    IEnumerable<IEvidenceVerifier> verifiers,
    PolicyResolver policies,
    IPolicyEngine engine,
    TokenService tokens,
    IOptions<KeyBrokerOptions> options,
    TimeProvider time,
    ILogger<KbsHandlers> logger)
{
    public async Task<IResult> AuthAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (doc, problem) = await RequestReader.ReadObjectAsync(context.Request, cancellationToken);
        using var _ = doc;
        if (doc is null)
        {
            return Bad(context, problem!);
        }

        var teeName = RequestReader.GetString(doc.RootElement, "tee");
        if (!TeeTypeNames.TryParse(teeName, out var tee))
        {
            return Bad(context, $"'tee' is '{teeName ?? "(missing)"}'; expected one of sim, sgx, tdx, snp.");
        }

        if (!verifiers.Any(v => v.Tee == tee))
        {
            return Bad(context, $"This broker has no verifier for TEE '{tee.Value.ToName()}'.");
        }

        var now = time.GetUtcNow();
        var nonceExpires = now + options.Value.NonceLifetime;
        var session = new SessionRecord(
            Base64Url.Encode(RandomNumberGenerator.GetBytes(32)), tee.Value.ToName(), Base64Url.Encode(RandomNumberGenerator.GetBytes(32)),
            nonceExpires.ToUnixTimeMilliseconds(), false, nonceExpires.ToUnixTimeMilliseconds(), null, null, null, null);
        await store.CreateSessionAsync(session, cancellationToken);
        context.Response.Cookies.Append(KbsProtocol.SessionCookie, session.Id, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/kbs",
        });
        BrokerLog.SessionStarted(logger, session.Tee);
        return Results.Json(new Dictionary<string, object> { ["nonce"] = session.Nonce, ["extra-params"] = "" });
    }

    /// <summary>
    /// <c>POST /kbs/v0/attest</c>: read the key and evidence, use up the session's nonce, verify the evidence and its binding
    /// to nonce and key, evaluate the default policy, then issue the token. Every refusal after the request was read is
    /// logged, and refusals of the evidence itself, its binding or the policy are audited.
    /// </summary>
    public async Task<IResult> AttestAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (doc, problem) = await RequestReader.ReadObjectAsync(context.Request, cancellationToken);
        using var _ = doc;
        if (doc is null)
        {
            return Bad(context, problem!);
        }

        var request = ReadAttestRequest(doc.RootElement, out var requestProblem);
        if (request is null)
        {
            return Bad(context, requestProblem!);
        }

        var sessionId = context.Request.Cookies[KbsProtocol.SessionCookie];
        if (string.IsNullOrEmpty(sessionId))
        {
            return Refuse(401, "No session: call POST /kbs/v0/auth first and send its session cookie.");
        }

        var consumed = await store.ConsumeNonceAsync(sessionId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        if (NonceRefusal(consumed.Outcome) is { } nonceRefusal)
        {
            return Refuse(401, nonceRefusal);
        }

        var tee = TeeTypeNames.Parse(consumed.Tee!);
        var verifier = verifiers.FirstOrDefault(v => v.Tee == tee && v.CanVerify(request.Evidence));
        if (verifier is null)
        {
            return Bad(context, $"'tee-evidence' is not {tee.ToName()} evidence (the session was started for TEE '{tee.ToName()}').");
        }

        AttestationClaims claims;
        try
        {
            claims = await verifier.VerifyAsync(request.Evidence, cancellationToken);
        }
        catch (AttestationException ex) when (ex.Code == AttestationErrorCode.MalformedEvidence)
        {
            return Bad(context, "'tee-evidence' is malformed: " + ex.Message);
        }
        catch (AttestationException ex)
        {
            return await RefuseAuditedAsync(request.Key, "evidence", $"The evidence was refused ({ex.Code}): {ex.Message}", null, cancellationToken);
        }

        var expected = KbsProtocol.ReportData(consumed.Nonce!, request.Key.Thumbprint);
        if (claims.ReportData.Length != 64 || !CryptographicOperations.FixedTimeEquals(claims.ReportData.Span, expected))
        {
            return await RefuseAuditedAsync(request.Key, "evidence",
                "The evidence's report data is not SHA-512(nonce ‖ SHA-256 JWK thumbprint of 'tee-pubkey') for this session's nonce: the evidence is not bound to this session and key.",
                null, cancellationToken);
        }

        var policy = await policies.DefaultAsync(cancellationToken);
        if (policy is null)
        {
            return Refuse(403, "No default attestation policy is configured; set one with 'mantle broker policy set --default POLICY.json'.");
        }

        var decision = engine.Evaluate(policy, claims);
        if (!decision.Allowed)
        {
            var reasons = string.Join("; ", decision.Reasons);
            return await RefuseAuditedAsync(request.Key, "default-policy", "The evidence does not satisfy the default attestation policy: " + reasons, decision.Reasons, cancellationToken, reasons);
        }

        var (token, expires) = tokens.Issue(claims, request.Key);
        await store.MarkAttestedAsync(sessionId, request.Key.ThumbprintText, JsonSerializer.Serialize(request.Key.Jwk), AttestationClaimsJson.Canonical(claims),
            expires.ToUnixTimeMilliseconds(), cancellationToken);
        var acceptedTee = tee.ToName();
        BrokerLog.AttestationAccepted(logger, acceptedTee, request.Key.ThumbprintText);
        return Results.Json(new Dictionary<string, object> { ["token"] = token, ["expires"] = expires.ToString("O") });
    }

    /// <summary>The TEE key and the evidence bytes of an attest body, or null and what is wrong with it.</summary>
    private static AttestRequest? ReadAttestRequest(JsonElement root, out string? problem)
    {
        if (!root.TryGetProperty("tee-pubkey", out var jwk))
        {
            problem = "'tee-pubkey' is missing: send the TEE's public key as a JWK.";
            return null;
        }

        var key = TeePublicKey.TryParse(jwk, out problem);
        if (key is null)
        {
            return null;
        }

        var evidenceText = RequestReader.GetString(root, "tee-evidence");
        byte[] evidence;
        try
        {
            evidence = evidenceText is null ? [] : Base64Url.Decode(evidenceText);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            problem = "'tee-evidence' is not base64url text.";
            return null;
        }

        if (evidence.Length == 0)
        {
            problem = "'tee-evidence' is missing or empty: send the raw evidence bytes as base64url.";
            return null;
        }

        return new AttestRequest(key, evidence);
    }

    private string? NonceRefusal(NonceOutcome outcome) => outcome switch
    {
        NonceOutcome.UnknownSession => "The session is unknown or has expired; call POST /kbs/v0/auth again.",
        NonceOutcome.SessionExpired => "The session has expired; call POST /kbs/v0/auth again.",
        NonceOutcome.AlreadyUsed => "The session's nonce was already used; nonces are single-use, call POST /kbs/v0/auth for a new one.",
        NonceOutcome.Expired => $"The session's nonce expired (nonces are valid {options.Value.NonceLifetime.TotalSeconds:0} s); call POST /kbs/v0/auth again.",
        _ => null,
    };

    private IResult Refuse(int status, string reason)
    {
        BrokerLog.AttestationRefused(logger, status, reason);
        return status == 401 ? Problems.Unauthorized(reason) : Problems.Forbidden(reason);
    }

    /// <summary>A 403 that the audit log records: the evidence, its binding or a policy refused this TEE key.</summary>
    private async Task<IResult> RefuseAuditedAsync(
        TeePublicKey key, string subject, string reason, IReadOnlyList<string>? reasons, CancellationToken cancellationToken, string? auditDetails = null)
    {
        BrokerLog.AttestationRefused(logger, 403, auditDetails ?? reason);
        await store.AppendAuditAsync(new AuditDraft("tee:" + key.ThumbprintText, "attest", subject, "refused", auditDetails ?? reason), cancellationToken);
        return Problems.Forbidden(reason, reasons);
    }

    private sealed record AttestRequest(TeePublicKey Key, byte[] Evidence);

    private IResult Bad(HttpContext context, string problem)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            BrokerLog.BadRequest(logger, context.Request.Path.Value ?? "", problem);
        }

        return Problems.BadRequest(problem);
    }
}
