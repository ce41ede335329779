namespace Mantle.Serving.Confidential;

/// <summary>Where a confidential start spent its time.</summary>
/// <param name="Attestation">Auth, evidence and attest, including retries while the broker was unreachable.</param>
/// <param name="KeyRelease">Fetching and decrypting the model keys.</param>
/// <param name="KeysReleased">How many model keys were released.</param>
/// <param name="Unseal">Verifying, decrypting and hash-checking the sealed versions (key release excluded).</param>
/// <param name="UnsealedBytes">The plaintext model bytes handed to ONNX Runtime.</param>
/// <param name="ToReady">From the start to listening with every model loaded.</param>
public sealed record ConfidentialStartTimings(
    TimeSpan Attestation, TimeSpan KeyRelease, int KeysReleased, TimeSpan Unseal, long UnsealedBytes, TimeSpan ToReady);
