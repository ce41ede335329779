namespace Mantle.Attestation.Intel.Internal;

/// <summary>A parsed Intel DCAP quote: every field is a slice of the original bytes, found by <see cref="DcapQuoteParser"/>.</summary>
internal sealed class DcapQuote
{
    public required ReadOnlyMemory<byte> Raw { get; init; }

    public required int Version { get; init; }

    public required TeeType Tee { get; init; }

    /// <summary>1 = SGX, 2 = TDX 1.0, 3 = TDX 1.5 (the v5 body type; derived for v3 and v4).</summary>
    public required int BodyType { get; init; }

    public required ReadOnlyMemory<byte> Header { get; init; }

    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The bytes covered by the quote signature: header, v5 body descriptor and body.</summary>
    public required ReadOnlyMemory<byte> SignedRegion { get; init; }

    public required ReadOnlyMemory<byte> QuoteSignature { get; init; }

    public required ReadOnlyMemory<byte> AttestationKey { get; init; }

    public required ReadOnlyMemory<byte> QeReport { get; init; }

    public required ReadOnlyMemory<byte> QeReportSignature { get; init; }

    public required ReadOnlyMemory<byte> QeAuthData { get; init; }

    public required ushort CertificationDataType { get; init; }

    public required ReadOnlyMemory<byte> CertificationData { get; init; }

    public ReadOnlySpan<byte> QeVendorId => Header.Span.Slice(12, 16);

    public ReadOnlySpan<byte> ReportData =>
        Tee == TeeType.Sgx ? Body.Span.Slice(ReportLayout.SgxReportData, 64) : Body.Span.Slice(ReportLayout.TdxReportData, 64);
}
