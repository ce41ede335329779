namespace Mantle.Attestation;

/// <summary>
/// The single error type of attestation: every refusal of evidence, collateral, certificates or policy,
/// and every failure to obtain evidence. The message says what was wrong and what to do; it never
/// contains key material.
/// </summary>
public sealed class AttestationException : Exception
{
    /// <summary>Creates an exception with an error code and a message for the caller.</summary>
    public AttestationException(AttestationErrorCode code, string message)
        : base(message) => Code = code;

    /// <summary>Creates an exception with an error code, a message and the underlying cause.</summary>
    public AttestationException(AttestationErrorCode code, string message, Exception innerException)
        : base(message, innerException) => Code = code;

    /// <summary>Why the operation was refused.</summary>
    public AttestationErrorCode Code { get; }
}
