namespace Mantle.Attestation;

/// <summary>Obtains evidence from the TEE that this process runs in.</summary>
public interface IEvidenceProvider
{
    /// <summary>The kind of TEE this provider talks to.</summary>
    TeeType Tee { get; }

    /// <summary>Returns fresh evidence whose report data is <paramref name="reportData"/> (at most 64 bytes, zero-padded).</summary>
    /// <exception cref="AttestationException">The TEE interface is missing or refused the request.</exception>
    ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default);
}
