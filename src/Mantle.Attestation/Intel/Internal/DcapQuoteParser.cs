namespace Mantle.Attestation.Intel.Internal;

/// <summary>
/// Parses SGX DCAP quotes v3/v4 and TDX quotes v4/v5. Every length is checked against the bytes that are
/// actually there, so any malformed input ends in a <see cref="AttestationErrorCode.MalformedEvidence"/> refusal.
/// </summary>
internal static class DcapQuoteParser
{
    /// <summary>Cheap recognition of the header: version, attestation key type and TEE type.</summary>
    public static bool LooksLike(ReadOnlySpan<byte> data, TeeType tee)
    {
        if (data.Length < ReportLayout.HeaderLength)
        {
            return false;
        }

        var version = (ushort)(data[0] | (data[1] << 8));
        var keyType = (ushort)(data[2] | (data[3] << 8));
        var teeType = (uint)(data[4] | (data[5] << 8) | (data[6] << 16) | (data[7] << 24));
        if (keyType != ReportLayout.AttestationKeyEcdsaP256)
        {
            return false;
        }

        return tee switch
        {
            TeeType.Sgx => teeType == ReportLayout.TeeTypeSgx && version is 3 or 4 or 5,
            TeeType.Tdx => teeType == ReportLayout.TeeTypeTdx && version is 4 or 5,
            _ => false,
        };
    }

    public static DcapQuote Parse(ReadOnlyMemory<byte> raw)
    {
        var data = raw.Span;
        var reader = new QuoteReader(data, 0);
        var version = reader.ReadUInt16("header version");
        var keyType = reader.ReadUInt16("header attestation key type");
        var teeType = reader.ReadUInt32("header TEE type");
        reader.Take(ReportLayout.HeaderLength - 8, "header");

        if (keyType != ReportLayout.AttestationKeyEcdsaP256)
        {
            throw IntelErrors.Malformed($"attestation key type {keyType} is not ECDSA P-256 (2)");
        }

        var tee = teeType switch
        {
            ReportLayout.TeeTypeSgx => TeeType.Sgx,
            ReportLayout.TeeTypeTdx => TeeType.Tdx,
            _ => throw IntelErrors.Malformed($"TEE type 0x{teeType:x} is neither SGX (0x0) nor TDX (0x81)"),
        };

        int bodyType;
        int bodyLength;
        if (version is 3 or 4 && (tee == TeeType.Sgx || version == 4))
        {
            bodyType = tee == TeeType.Sgx ? 1 : 2;
            bodyLength = tee == TeeType.Sgx ? ReportLayout.SgxBodyLength : ReportLayout.Tdx10BodyLength;
        }
        else if (version == 5)
        {
            bodyType = reader.ReadUInt16("body type");
            var declared = reader.ReadUInt32("body size");
            bodyLength = (tee, bodyType) switch
            {
                (TeeType.Sgx, 1) => ReportLayout.SgxBodyLength,
                (TeeType.Tdx, 2) => ReportLayout.Tdx10BodyLength,
                (TeeType.Tdx, 3) => ReportLayout.Tdx15BodyLength,
                _ => throw IntelErrors.Malformed($"body type {bodyType} is not valid for a {tee.ToName()} quote v5"),
            };
            if (declared != (uint)bodyLength)
            {
                throw IntelErrors.Malformed($"body size {declared} does not match body type {bodyType} ({bodyLength} bytes)");
            }
        }
        else
        {
            throw IntelErrors.Malformed($"quote version {version} is not supported for {tee.ToName()} (SGX: 3, 4, 5; TDX: 4, 5)");
        }

        var bodyOffset = reader.Take(bodyLength, "report body");
        var signedLength = reader.Offset;
        var sigDataLength = reader.ReadLength32("signature data length");
        var sigEnd = reader.Offset + sigDataLength;

        // Parse the signature data inside its declared bounds only.
        var sig = new QuoteReader(data[..sigEnd], reader.Offset);
        var quoteSignature = sig.Take(ReportLayout.EcdsaSignatureLength, "quote signature");
        var attestationKey = sig.Take(ReportLayout.EcdsaKeyLength, "attestation key");

        int qeReport, qeReportSignature, authOffset, authLength;
        ushort certType;
        int certOffset, certLength;
        if (version == 3)
        {
            ReadQeSection(ref sig, out qeReport, out qeReportSignature, out authOffset, out authLength);
            certType = sig.ReadUInt16("certification data type");
            certLength = sig.ReadLength32("certification data size");
            certOffset = sig.Take(certLength, "certification data");
        }
        else
        {
            var outerType = sig.ReadUInt16("certification data type");
            if (outerType != ReportLayout.CertDataQeReport)
            {
                throw IntelErrors.Malformed($"certification data type {outerType} where a v{version} quote needs type 6 (QE report certification data)");
            }

            var outerLength = sig.ReadLength32("QE report certification data size");
            var outerEnd = sig.Offset + outerLength;
            var inner = new QuoteReader(data[..outerEnd], sig.Offset);
            ReadQeSection(ref inner, out qeReport, out qeReportSignature, out authOffset, out authLength);
            certType = inner.ReadUInt16("certification data type");
            certLength = inner.ReadLength32("certification data size");
            certOffset = inner.Take(certLength, "certification data");
            if (inner.Remaining != 0)
            {
                throw IntelErrors.Malformed($"the QE report certification data declares {outerLength} bytes but its parts take {outerLength - inner.Remaining}");
            }

            sig.Take(outerLength, "QE report certification data");
        }

        if (sig.Remaining != 0)
        {
            throw IntelErrors.Malformed($"the signature data declares {sigDataLength} bytes but its parts take {sigDataLength - sig.Remaining}");
        }

        return new DcapQuote
        {
            Raw = raw,
            Version = version,
            Tee = tee,
            BodyType = bodyType,
            Header = raw[..ReportLayout.HeaderLength],
            Body = raw.Slice(bodyOffset, bodyLength),
            SignedRegion = raw[..signedLength],
            QuoteSignature = raw.Slice(quoteSignature, ReportLayout.EcdsaSignatureLength),
            AttestationKey = raw.Slice(attestationKey, ReportLayout.EcdsaKeyLength),
            QeReport = raw.Slice(qeReport, ReportLayout.SgxBodyLength),
            QeReportSignature = raw.Slice(qeReportSignature, ReportLayout.EcdsaSignatureLength),
            QeAuthData = raw.Slice(authOffset, authLength),
            CertificationDataType = certType,
            CertificationData = raw.Slice(certOffset, certLength),
        };
    }

    private static void ReadQeSection(ref QuoteReader reader, out int qeReport, out int qeReportSignature, out int authOffset, out int authLength)
    {
        qeReport = reader.Take(ReportLayout.SgxBodyLength, "QE report");
        qeReportSignature = reader.Take(ReportLayout.EcdsaSignatureLength, "QE report signature");
        authLength = reader.ReadUInt16("QE authentication data size");
        authOffset = reader.Take(authLength, "QE authentication data");
    }
}
