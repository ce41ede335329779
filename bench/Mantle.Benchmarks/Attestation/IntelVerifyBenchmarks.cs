using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Mantle.Attestation.Intel;

namespace Mantle.Benchmarks.Attestation;

/// <summary>
/// Intel SGX and TDX quote verifications per second with collateral loaded once (cached), next to the raw
/// ECDSA P-256 verify that dominates them (a full verification does at least four: quote, QE report, PCK
/// certificate, PCK CA certificate).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class IntelVerifyBenchmarks
{
    private static readonly DateTimeOffset At = new(2025, 6, 20, 0, 0, 0, TimeSpan.Zero);

    private byte[] _sgxQuote = [];
    private byte[] _tdxQuote = [];
    private SgxQuoteVerifier _sgx = null!;
    private TdxQuoteVerifier _tdx = null!;
    private ECDsa _key = null!;
    private byte[] _data = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        var root = AttestationTestData.Root();
        _sgxQuote = File.ReadAllBytes(Path.Combine(root, "sgx/dcapqvl_sgx_quote_v3.bin"));
        _tdxQuote = File.ReadAllBytes(Path.Combine(root, "tdx/dcapqvl_tdx_quote.bin"));
        var source = new IntelOfflineCollateralSource(
        [
            IntelCollateral.Load(Path.Combine(root, "sgx/dcapqvl_sgx_quote_v3_collateral.json")),
            IntelCollateral.Load(Path.Combine(root, "tdx/dcapqvl_tdx_quote_collateral.json")),
        ]);
        var options = new IntelQuoteVerifierOptions { TimeProvider = new FixedTime(At), CollateralSource = source };
        _sgx = new SgxQuoteVerifier(options);
        _tdx = new TdxQuoteVerifier(options);

        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _data = _sgxQuote[..432];
        _signature = _key.SignData(_data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        // Fail early if the setup does not verify.
        _ = SgxVerify();
        _ = TdxVerify();
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true, Description = "raw ECDSA P-256 verify")]
    public bool RawEcdsaVerify() =>
        _key.VerifyData(_data, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark(Description = "SGX quote v3 verify")]
    public string SgxVerify() => _sgx.VerifyAsync(_sgxQuote).AsTask().GetAwaiter().GetResult().TcbStatus;

    [Benchmark(Description = "TDX quote v4 verify")]
    public string TdxVerify() => _tdx.VerifyAsync(_tdxQuote).AsTask().GetAwaiter().GetResult().TcbStatus;

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
