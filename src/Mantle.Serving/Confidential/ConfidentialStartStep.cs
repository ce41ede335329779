namespace Mantle.Serving.Confidential;

/// <summary>The steps of a confidential start, in order; a failure names the step it happened in.</summary>
public enum ConfidentialStartStep
{
    /// <summary>Reaching the key broker (after retries with backoff).</summary>
    Connect,

    /// <summary>Obtaining evidence from the TEE, or the broker refusing the evidence itself (signature, chain, binding).</summary>
    Attest,

    /// <summary>The broker's attestation policy refusing a claim of the evidence.</summary>
    Policy,

    /// <summary>Obtaining the server's TLS certificate (broker-issued, RA-TLS, or a sealed static key).</summary>
    Certificate,

    /// <summary>The broker releasing a model key.</summary>
    Release,

    /// <summary>Checking a sealed model's manifest signature against the owner key.</summary>
    Verify,

    /// <summary>Decrypting and hash-checking a sealed model, and loading it into ONNX Runtime.</summary>
    Unseal,
}
