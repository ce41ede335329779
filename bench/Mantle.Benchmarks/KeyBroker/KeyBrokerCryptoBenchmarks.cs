using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Mantle.KeyBroker;

namespace Mantle.Benchmarks.KeyBroker;

/// <summary>The per-release cryptography of the broker, against the master-key decryption as baseline.</summary>
[MemoryDiagnoser]
public class KeyBrokerCryptoBenchmarks : IDisposable
{
    private readonly byte[] _aad = "mantle-broker/v1\nbench/key/k\n1"u8.ToArray();
    private FileMasterKeyProvider _master = null!;
    private byte[] _stored = null!;
    private ECDsa _signingKey = null!;
    private ECDiffieHellman _teeKey = null!;
    private string _token = null!;
    private Dictionary<string, object> _payload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _master = new FileMasterKeyProvider(RandomNumberGenerator.GetBytes(32));
        _stored = _master.Encrypt(RandomNumberGenerator.GetBytes(32), _aad);
        _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        _teeKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        _payload = new Dictionary<string, object> { ["iss"] = "mantle-broker", ["exp"] = 2_000_000_000L, ["claims"] = new Dictionary<string, object> { ["tee"] = "sim", ["measurement"] = new string('a', 96) } };
        _token = Jose.JWT.Encode(_payload, _signingKey, Jose.JwsAlgorithm.ES384);
    }

    [Benchmark(Baseline = true, Description = "master key AES-256-GCM decrypt (32 B)")]
    public byte[] MasterKeyDecrypt() => _master.Decrypt(_stored, _aad);

    [Benchmark(Description = "JWE ECDH-ES+A256KW/A256GCM to P-384 key")]
    public string JweEncrypt() =>
        Jose.JWE.EncryptBytes(_master.Decrypt(_stored, _aad), [new Jose.JweRecipient(Jose.JweAlgorithm.ECDH_ES_A256KW, _teeKey)], Jose.JweEncryption.A256GCM, mode: Jose.SerializationMode.Compact);

    [Benchmark(Description = "attestation token ES384 sign")]
    public string TokenSign() => Jose.JWT.Encode(_payload, _signingKey, Jose.JwsAlgorithm.ES384);

    [Benchmark(Description = "attestation token ES384 verify")]
    public string TokenVerify() => Jose.JWT.Decode(_token, _signingKey, Jose.JwsAlgorithm.ES384);

    public void Dispose()
    {
        _master?.Dispose();
        _signingKey?.Dispose();
        _teeKey?.Dispose();
        GC.SuppressFinalize(this);
    }
}
