using Mantle.Attestation;
using Mantle.Attestation.Policy;

namespace Mantle.Client.Trust;

/// <summary>
/// The client refused the server during the TLS handshake (or the server refused the client's missing certificate), so
/// no request was sent. The message says what was wrong and what to do.
/// </summary>
public sealed class ServerVerificationException : Exception
{
    /// <summary>Creates an exception for a refusal.</summary>
    public ServerVerificationException(ServerVerificationFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>Creates an exception for a refusal with its cause.</summary>
    public ServerVerificationException(ServerVerificationFailure failure, string message, Exception? innerException)
        : base(message, innerException) => Failure = failure;

    /// <summary>Why the server was refused.</summary>
    public ServerVerificationFailure Failure { get; }

    /// <summary>The claims the server showed, when they were authentic but the policy refused them (or no policy was consulted).</summary>
    public AttestationClaims? Claims { get; init; }

    /// <summary>The policy's decision, for <see cref="ServerVerificationFailure.PolicyViolation"/>.</summary>
    public PolicyDecision? Decision { get; init; }

    /// <summary>The same refusal, thrown again from where the caller can catch it, with <paramref name="innerException"/> as its cause.</summary>
    internal ServerVerificationException Rethrown(Exception innerException) =>
        new(Failure, Message, innerException) { Claims = Claims, Decision = Decision };
}
