namespace Mantle.Attestation.Intel.Internal;

/// <summary>Short constructors for the refusals of Intel quote verification.</summary>
internal static class IntelErrors
{
    public static AttestationException Malformed(string what) =>
        new(AttestationErrorCode.MalformedEvidence, $"The Intel DCAP quote is malformed: {what}. Pass the complete quote bytes as produced by the quoting enclave.");

    public static AttestationException Signature(string what) =>
        new(AttestationErrorCode.InvalidSignature, $"{what}. The quote was altered or was not produced by a genuine Intel quoting enclave.");

    public static AttestationException Chain(string what) =>
        new(AttestationErrorCode.InvalidCertificateChain, what);

    public static AttestationException Collateral(string what) =>
        new(AttestationErrorCode.InvalidCollateral, what);

    public static AttestationException Revoked(string what) =>
        new(AttestationErrorCode.Revoked, what);
}
