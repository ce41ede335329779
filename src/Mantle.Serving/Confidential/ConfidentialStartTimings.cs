namespace Mantle.Serving.Confidential;

/// <summary>Where a confidential start spent its time.</summary>
/// <param name="Attestation">Auth, evidence and attest, including retries while the broker was unreachable.</param>
/// <param name="KeyRelease">Fetching and decrypting the model keys, once attested.</param>
/// <param name="KeysReleased">How many model keys were released.</param>
/// <param name="Unseal">Decrypting and hash-checking the sealed versions once their keys arrived (their manifests are verified before, while attestation runs).</param>
/// <param name="UnsealedBytes">The plaintext model bytes handed to ONNX Runtime.</param>
/// <param name="ToReady">From the broker session's creation (the start of attestation) to listening with every model loaded.</param>
public sealed record ConfidentialStartTimings(
    TimeSpan Attestation, TimeSpan KeyRelease, int KeysReleased, TimeSpan Unseal, long UnsealedBytes, TimeSpan ToReady);
