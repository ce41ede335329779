using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Attestation.RaTls;
using Mantle.Attestation.Sim;

namespace Mantle.Client.Tests.Trust;

/// <summary>A simulated TEE platform for tests: RA-TLS certificates over its evidence, its claims, and policies that pin a measurement.</summary>
internal sealed class SimAttestation : IDisposable
{
    public static readonly byte[] Measurement = Enumerable.Repeat((byte)0x5A, 48).ToArray();
    public static readonly byte[] OtherMeasurement = Enumerable.Repeat((byte)0x77, 48).ToArray();

    /// <summary>A platform whose key lives in memory, or the one in <paramref name="keyFile"/> (created when missing).</summary>
    public SimAttestation(string? keyFile = null)
    {
        Platform = keyFile is null ? SimulatedTee.CreateEphemeral() : SimulatedTee.LoadOrCreate(keyFile);
    }

    public SimulatedTee Platform { get; }

    public static string MeasurementHex => Convert.ToHexStringLower(Measurement);

    /// <summary>A policy that accepts sim evidence of <see cref="Measurement"/> only.</summary>
    public static AttestationPolicy Policy => AttestationPolicy.Parse(PolicyJson);

    public static string PolicyJson => """{"version": 1, "tees": ["sim"], "claims": {"measurement": {"equals": """ + "\"" + MeasurementHex + "\"}}}";

    public EvidenceVerifier Verifier() => EvidenceVerifiers.Create(new EvidenceVerifierOptions { SimPlatform = Platform });

    public Task<X509Certificate2> RaTlsCertificateAsync(byte[]? measurement = null, RaTlsCertificateOptions? options = null) =>
        RaTlsCertificate.CreateAsync(new SimEvidenceProvider(Platform, new() { MeasurementOverride = measurement ?? Measurement }), options ?? new RaTlsCertificateOptions { DnsNames = { "localhost" } });

    /// <summary>Authentic claims of sim evidence, as a broker would write them into a certificate.</summary>
    public async Task<AttestationClaims> ClaimsAsync(byte[]? measurement = null)
    {
        var evidence = await new SimEvidenceProvider(Platform, new() { MeasurementOverride = measurement ?? Measurement }).GetEvidenceAsync(new byte[64]);
        return await new SimEvidenceVerifier(Platform).VerifyAsync(evidence);
    }

    public void Dispose() => Platform.Dispose();
}
