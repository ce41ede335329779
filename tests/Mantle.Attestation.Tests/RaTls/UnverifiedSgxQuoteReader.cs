using System.Buffers.Binary;

namespace Mantle.Attestation.Tests.RaTls;

/// <summary>
/// A test stand-in for the SGX verifier that reads fields of an SGX quote v3 WITHOUT checking any
/// signature, so RA-TLS binding checks can be tested on real certificate bytes. Never a real verifier.
/// </summary>
internal sealed class UnverifiedSgxQuoteReader : IEvidenceVerifier
{
    private const int ReportBody = 48;

    public int Calls { get; private set; }

    public TeeType Tee => TeeType.Sgx;

    public bool CanVerify(ReadOnlySpan<byte> evidence) =>
        evidence.Length >= 436 && BinaryPrimitives.ReadUInt16LittleEndian(evidence) == 3 && BinaryPrimitives.ReadUInt32LittleEndian(evidence[4..]) == 0;

    public ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default)
    {
        Calls++;
        var quote = evidence.Span;
        if (!CanVerify(quote))
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, "not an SGX quote v3");
        }

        return ValueTask.FromResult(new AttestationClaims
        {
            Tee = TeeType.Sgx,
            Measurement = Convert.ToHexStringLower(quote.Slice(ReportBody + 64, 32)),
            Signer = Convert.ToHexStringLower(quote.Slice(ReportBody + 128, 32)),
            Debug = (quote[ReportBody + 48] & 0x02) != 0,
            TcbStatus = "UpToDate",
            ReportData = quote.Slice(ReportBody + 320, 64).ToArray(),
        });
    }
}
