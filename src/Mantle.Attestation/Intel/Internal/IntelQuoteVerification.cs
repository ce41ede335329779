using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>The verification of an Intel DCAP quote (SGX or TDX), from bytes to claims.</summary>
internal static class IntelQuoteVerification
{
    public static async ValueTask<AttestationClaims> VerifyAsync(TeeType tee, ReadOnlyMemory<byte> evidence, IntelQuoteVerifierOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var claims = await VerifyCoreAsync(tee, evidence, options, cancellationToken).ConfigureAwait(false);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                var fmspc = claims.TeeClaims.TryGetValue(tee == TeeType.Sgx ? "sgx.fmspc" : "tdx.fmspc", out var value) ? value as string : null;
                IntelLog.QuoteVerified(logger, tee, fmspc ?? "?", claims.TcbStatus);
            }

            return claims;
        }
        catch (AttestationException e)
        {
            IntelLog.QuoteRefused(logger, tee, e.Code, e.Message);
            throw;
        }
    }

    private static async ValueTask<AttestationClaims> VerifyCoreAsync(TeeType tee, ReadOnlyMemory<byte> evidence, IntelQuoteVerifierOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var roots = options.TrustedRoots ?? IntelRootCertificates.BuiltIn;
            var at = options.TimeProvider.GetUtcNow();
            var (quote, pckChain, pck) = VerifyQuote(tee, evidence, roots, at);

            var request = new IntelCollateralRequest(tee, pck.Fmspc, PckCaName(pckChain[1]));
            var collateral = options.CollateralSource is null
                ? null
                : await options.CollateralSource.GetCollateralAsync(request, cancellationToken).ConfigureAwait(false);
            if (collateral is null)
            {
                if (options.RequireCollateral)
                {
                    throw IntelErrors.Collateral($"No Intel collateral for {tee.ToName()} FMSPC {pck.Fmspc} ({request.PckCa} CA). Supply a collateral bundle for this platform or configure a PCCS/PCS URL.");
                }

                return IntelClaims.Build(quote, pck, new TcbEvaluator.Result(IntelTcbStatus.NotEvaluated, []));
            }

            var evaluation = EvaluateCollateral(quote, pckChain, pck, collateral.Prepared, roots, at);
            return IntelClaims.Build(quote, pck, evaluation);
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or FormatException or ArgumentException or OverflowException or InvalidCastException)
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, $"The Intel quote or its certificates could not be decoded ({e.GetType().Name}). Pass the complete quote as produced by the quoting enclave.", e);
        }
    }

    /// <summary>Checks everything that needs no collateral: structure, PCK chain, QE report, binding and quote signature.</summary>
    internal static (DcapQuote Quote, X509Certificate2[] PckChain, PckExtensions Pck) VerifyQuote(TeeType tee, ReadOnlyMemory<byte> evidence, IReadOnlyList<X509Certificate2> roots, DateTimeOffset at)
    {
        var quote = DcapQuoteParser.Parse(evidence);
        if (quote.Tee != tee)
        {
            throw new AttestationException(AttestationErrorCode.Unsupported, $"The quote is a {quote.Tee.ToName()} quote, not {tee.ToName()}; verify it with the {quote.Tee.ToName()} verifier.");
        }

        if (!quote.QeVendorId.SequenceEqual(ReportLayout.IntelQeVendorId))
        {
            throw new AttestationException(AttestationErrorCode.Unsupported, $"The quote comes from a quoting enclave of vendor {Convert.ToHexStringLower(quote.QeVendorId)}, not Intel's; only Intel QEs are supported.");
        }

        if (quote.CertificationDataType != ReportLayout.CertDataPckChain)
        {
            throw new AttestationException(AttestationErrorCode.Unsupported, $"The quote's certification data type is {quote.CertificationDataType}, not 5 (PCK certificate chain); configure quote generation to embed the PCK chain.");
        }

        var (pckChain, pck, pckKey) = PckChainCache.GetOrValidate(quote.CertificationData.Span, roots, at);

        if (!EcdsaRaw.Verify(pckKey, quote.QeReport.Span, quote.QeReportSignature.Span))
        {
            throw IntelErrors.Signature("The QE report signature does not verify with the PCK certificate's key");
        }

        Span<byte> binding = stackalloc byte[32];
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(quote.AttestationKey.Span);
            hash.AppendData(quote.QeAuthData.Span);
            hash.GetHashAndReset(binding);
        }

        var qeReportData = quote.QeReport.Span.Slice(ReportLayout.SgxReportData, 64);
        if (!qeReportData[..32].SequenceEqual(binding) || qeReportData[32..].ContainsAnyExcept((byte)0))
        {
            throw IntelErrors.Signature("The QE report data does not bind the attestation key (SHA-256 of attestation key and QE authentication data)");
        }

        if (!EcdsaRaw.Verify(quote.AttestationKey.Span, quote.SignedRegion.Span, quote.QuoteSignature.Span))
        {
            throw IntelErrors.Signature("The quote signature does not verify with the attestation key");
        }

        return (quote, pckChain, pck);
    }

    private static TcbEvaluator.Result EvaluateCollateral(DcapQuote quote, X509Certificate2[] pckChain, PckExtensions pck, ParsedCollateral collateral, IReadOnlyList<X509Certificate2> roots, DateTimeOffset at)
    {
        collateral.Verify(roots, at);

        var pckCa = pckChain[1];
        if (!collateral.RootCrlIssuer.RawDataMemory.Span.SequenceEqual(pckChain[^1].RawDataMemory.Span))
        {
            throw IntelErrors.Collateral("The collateral chains to a different root than the quote's PCK chain. Supply collateral issued under the same Intel SGX Root CA.");
        }

        if (collateral.RootCrl.IsRevoked(pckCa))
        {
            throw IntelErrors.Revoked($"The PCK CA certificate '{pckCa.Subject}' is revoked by the Intel SGX Root CA CRL.");
        }

        if (!collateral.PckCrl.IsIssuedBy(pckCa) ||
            (!collateral.PckCrlIssuerChain[0].RawDataMemory.Span.SequenceEqual(pckCa.RawDataMemory.Span) && !ChainValidator.VerifySignature(collateral.PckCrl, pckCa)))
        {
            throw IntelErrors.Collateral($"The PCK CRL is not issued by the quote's PCK CA ('{pckCa.Subject}'). Supply the PCK CRL of the {PckCaName(pckCa)} CA.");
        }

        if (collateral.PckCrl.IsRevoked(pckChain[0]))
        {
            throw IntelErrors.Revoked($"The quote's PCK certificate (serial {pckChain[0].SerialNumber}) is revoked by the PCK CRL; the platform's attestation key is no longer trusted.");
        }

        var tcbInfo = collateral.TcbInfo;
        var expectedId = quote.Tee == TeeType.Tdx ? "TDX" : "SGX";
        if (tcbInfo.Id != expectedId)
        {
            throw IntelErrors.Collateral($"The TCB info is for {tcbInfo.Id}, but the quote is {expectedId}. Supply the {expectedId} TCB info for FMSPC {pck.Fmspc}.");
        }

        if (!string.Equals(tcbInfo.Fmspc, pck.Fmspc, StringComparison.OrdinalIgnoreCase) || !string.Equals(tcbInfo.PceId, pck.PceId, StringComparison.OrdinalIgnoreCase))
        {
            throw IntelErrors.Collateral($"The TCB info is for FMSPC {tcbInfo.Fmspc} / PCE-ID {tcbInfo.PceId}, but the PCK certificate has FMSPC {pck.Fmspc} / PCE-ID {pck.PceId}. Supply the TCB info of this platform.");
        }

        var expectedQe = quote.Tee == TeeType.Tdx ? "TD_QE" : "QE";
        if (collateral.QeIdentity.Id != expectedQe)
        {
            throw IntelErrors.Collateral($"The QE identity is '{collateral.QeIdentity.Id}', but a {quote.Tee.ToName()} quote needs '{expectedQe}'.");
        }

        var body = quote.Body.Span;
        var teeTcbSvn = quote.Tee == TeeType.Tdx ? body.Slice(ReportLayout.TdxTeeTcbSvn, 16) : default;
        var level = TcbEvaluator.FindPlatformLevel(tcbInfo, pck, teeTcbSvn);
        var status = level?.Status ?? IntelTcbStatus.TcbLevelNotSupported;
        var advisories = new List<string>(level?.Advisories ?? []);

        if (quote.Tee == TeeType.Tdx)
        {
            if (TcbEvaluator.CheckTdxModule(tcbInfo, body) is { } module)
            {
                status = TcbEvaluator.Converge(status, module.Status);
                advisories.AddRange(module.Advisories);
            }
        }

        var qe = TcbEvaluator.EvaluateQe(collateral.QeIdentity, quote.QeReport.Span);
        status = TcbEvaluator.Converge(status, qe.Status);
        advisories.AddRange(qe.Advisories);
        return new TcbEvaluator.Result(status, [.. advisories.Distinct(StringComparer.Ordinal)]);
    }

    private static string PckCaName(X509Certificate2 pckCa) =>
        pckCa.Subject.Contains("Platform", StringComparison.Ordinal) ? "platform" : "processor";
}
