using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Attestation.RaTls;
using Mantle.Attestation.Sim;

namespace Mantle.Benchmarks.Attestation;

/// <summary>
/// Sim evidence verifications, policy evaluations and RA-TLS certificate verifications per second, next
/// to the raw ECDSA P-384 verify that dominates them (sim: one verify; RA-TLS: certificate self-signature
/// plus the evidence's).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class SimVerifyBenchmarks
{
    private SimulatedTee _platform = null!;
    private EvidenceVerifier _verifier = null!;
    private RaTlsVerifier _raTls = null!;
    private byte[] _evidence = [];
    private X509Certificate2 _certificate = null!;
    private AttestationPolicy _policy = null!;
    private AttestationClaims _claims = null!;
    private ECDsa _key = null!;
    private byte[] _data = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _platform = SimulatedTee.CreateEphemeral();
        var provider = new SimEvidenceProvider(_platform, new SimEvidenceProviderOptions { MeasurementOverride = new byte[48] });
        _evidence = provider.GetEvidenceAsync(new byte[64]).AsTask().GetAwaiter().GetResult();
        _verifier = new EvidenceVerifier([new SimEvidenceVerifier(_platform.ToPublicOnly())]);
        _raTls = new RaTlsVerifier(_verifier);
        _certificate = RaTlsCertificate.CreateAsync(provider).GetAwaiter().GetResult();
        _policy = AttestationPolicy.Parse("""{"version": 1, "tees": ["sim"], "claims": {"measurement": {"one_of": ["000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"]}, "svn": {"min": 0}}}""");
        _claims = _verifier.VerifyAsync(_evidence).AsTask().GetAwaiter().GetResult();

        _key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        _data = _evidence[..0xA8];
        _signature = _key.SignData(_data, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _certificate.Dispose();
        _platform.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw ECDSA P-384 verify")]
    public bool RawEcdsaVerify() =>
        _key.VerifyData(_data, _signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark(Description = "sim evidence verify")]
    public string SimVerify() => _verifier.VerifyAsync(_evidence).AsTask().GetAwaiter().GetResult().Measurement;

    [Benchmark(Description = "policy evaluate")]
    public bool PolicyEvaluate() => _policy.Evaluate(_claims).Allowed;

    [Benchmark(Description = "RA-TLS (sim) certificate verify")]
    public string RaTlsVerify() => _raTls.VerifyAsync(_certificate).AsTask().GetAwaiter().GetResult().PublicKeyHash;
}
