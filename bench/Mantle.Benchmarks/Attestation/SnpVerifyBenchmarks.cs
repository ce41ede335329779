using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Mantle.Attestation.Snp;

namespace Mantle.Benchmarks.Attestation;

/// <summary>
/// SEV-SNP report verifications per second with the collateral cached (the chain is checked once per
/// VCEK), against the raw ECDSA P-384 verification of the same report in the same run.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class SnpVerifyBenchmarks
{
    private static readonly DateTimeOffset InWindow = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private byte[] _report = [];
    private byte[] _envelope = [];
    private byte[] _signedBytes = [];
    private byte[] _signature = [];
    private ECDsa? _vcekKey;
    private SnpReportVerifier? _withCollateral;
    private SnpReportVerifier? _withEnvelope;

    [GlobalSetup]
    public void Setup()
    {
        var folder = AttestationTestData.Root();
        _report = File.ReadAllBytes(Path.Combine(folder, "snp", "gosev_attestation_milan.bin"));
        var vcek = File.ReadAllBytes(Path.Combine(folder, "snp", "gosev_vcek_milan.der"));
        _envelope = SnpEvidence.CreateEnvelope(_report, SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, vcek)]));
        _signedBytes = _report[..0x2A0];
        _signature = new byte[96];
        _report.AsSpan(0x2A0, 48).CopyTo(_signature);
        _report.AsSpan(0x2E8, 48).CopyTo(_signature.AsSpan(48));
        _signature.AsSpan(0, 48).Reverse();
        _signature.AsSpan(48).Reverse();
        using var certificate = X509CertificateLoader.LoadCertificate(vcek);
        _vcekKey = certificate.GetECDsaPublicKey();
        var clock = new FixedTime(InWindow);
        _withCollateral = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = clock, Collateral = vcek });
        _withEnvelope = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = clock });
        if (!RawEcdsaP384Verify() || SnpVerifyCachedCollateral() is null || SnpVerifyEnvelope() is null)
        {
            throw new InvalidOperationException("The SNP sample does not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _vcekKey?.Dispose();

    /// <summary>The floor: one ECDSA P-384 / SHA-384 verification of the signed 672 bytes.</summary>
    [Benchmark(Baseline = true)]
    public bool RawEcdsaP384Verify() => _vcekKey!.VerifyData(_signedBytes, _signature, HashAlgorithmName.SHA384);

    /// <summary>Full verification, VCEK given as collateral (chain result cached).</summary>
    [Benchmark]
    public object SnpVerifyCachedCollateral() => _withCollateral!.VerifyAsync(_report).AsTask().GetAwaiter().GetResult();

    /// <summary>Full verification of an envelope that carries its VCEK (certificate parsed on every call).</summary>
    [Benchmark]
    public object SnpVerifyEnvelope() => _withEnvelope!.VerifyAsync(_envelope).AsTask().GetAwaiter().GetResult();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
