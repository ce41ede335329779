using System.Security.Cryptography;
using Mantle.Attestation.Sim.Internal;

namespace Mantle.Attestation.Sim;

/// <summary>
/// Verifies <c>sim</c> evidence against one trusted simulated platform public key. Claims: <c>tee</c> =
/// <c>sim</c>, <c>tcb_status</c> = <c>UpToDate</c>, the measurement, debug flag and report data, and
/// <c>sim.platform_key</c> (SHA-256 of the platform key's SubjectPublicKeyInfo, hex),
/// <c>sim.timestamp</c> (Unix seconds), <c>sim.version</c>. Authentic sim evidence proves nothing about
/// the hardware: see <see cref="SimulatedTee"/>.
/// </summary>
public sealed class SimEvidenceVerifier : IEvidenceVerifier
{
    private readonly SimulatedTee _platform;

    /// <summary>Creates a verifier that trusts the public key of <paramref name="platform"/> (private key not needed).</summary>
    public SimEvidenceVerifier(SimulatedTee platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
    }

    /// <summary>Creates a verifier that trusts the platform key in PEM text (public or private key).</summary>
    /// <exception cref="AttestationException">The text holds no P-384 key.</exception>
    public static SimEvidenceVerifier FromPem(string pem) => new(SimulatedTee.FromPem(pem));

    /// <inheritdoc />
    public TeeType Tee => TeeType.Sim;

    /// <inheritdoc />
    public bool CanVerify(ReadOnlySpan<byte> evidence) => SimEvidenceFormat.HasMagic(evidence);

    /// <inheritdoc />
    public ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var bytes = evidence.Span;
        var fields = SimEvidenceFormat.Read(bytes);
        if (!CryptographicOperations.FixedTimeEquals(fields.PlatformKeyId, _platform.PlatformKeyIdBytes))
        {
            throw new AttestationException(
                AttestationErrorCode.InvalidSignature,
                $"The sim evidence names platform key {Convert.ToHexStringLower(fields.PlatformKeyId)}, but this verifier trusts platform key {_platform.PlatformKeyId}; verify with the platform key of the machine that made the evidence (--sim-key).");
        }

        if (!_platform.Verify(bytes[..SimEvidenceFormat.SignedLength], bytes.Slice(SimEvidenceFormat.SignedLength, SimEvidenceFormat.SignatureLength)))
        {
            throw new AttestationException(
                AttestationErrorCode.InvalidSignature,
                $"The sim evidence signature does not verify with platform key {_platform.PlatformKeyId}: the evidence was altered or signed by another key.");
        }

        var measurement = Convert.ToHexStringLower(fields.Measurement);
        var claims = new AttestationClaims
        {
            Tee = TeeType.Sim,
            Measurement = measurement,
            Debug = fields.Debug,
            TcbStatus = "UpToDate",
            ReportData = fields.ReportData,
            TeeClaims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["sim.platform_key"] = _platform.PlatformKeyId,
                ["sim.measurement"] = measurement,
                ["sim.debug"] = fields.Debug,
                ["sim.timestamp"] = fields.Timestamp,
                ["sim.version"] = (long)SimEvidenceFormat.Version,
            },
        };
        return ValueTask.FromResult(claims);
    }
}
