using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Mantle.Sealing.Internal;
using Mantle.Sealing.Keys;

namespace Mantle.Benchmarks.Sealing;

/// <summary>
/// Seal and unseal-into-memory against raw AES-256-GCM over the same 64 MiB in the same run (one thread). The format
/// also hashes the plaintext (SHA-256, for the signed manifest), so a second baseline adds that hash.
/// </summary>
[MemoryDiagnoser]
public class SealingBenchmarks
{
    private const int Length = 64 * 1024 * 1024;

    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _tag = new byte[16];
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _sealed = [];
    private byte[] _destination = [];
    private AesGcm _aes = null!;
    private ModelKey _key = null!;
    private UnsealExpectation _expectation = null!;

    /// <summary>Plaintext bytes per chunk.</summary>
    [Params(64 * 1024, 1024 * 1024)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = new byte[Length];
        RandomNumberGenerator.Fill(_plaintext);
        _ciphertext = new byte[Length];
        _destination = GC.AllocateUninitializedArray<byte>(Length, pinned: true);
        _aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        _aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag);
        _key = ModelKey.Generate();
        var output = new MemoryStream();
        var result = StreamSealer.SealAsync(new MemoryStream(_plaintext), output, _key, "model.onnx", ChunkSize, null, default).GetAwaiter().GetResult();
        _sealed = output.ToArray();
        _expectation = new UnsealExpectation(Length, result.Sha256, SHA256.HashData(result.Header));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aes.Dispose();
        _key.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw AES-256-GCM decrypt, one buffer")]
    public void RawDecrypt() => _aes.Decrypt(_nonce, _ciphertext, _tag, _destination);

    [Benchmark(Description = "raw AES-256-GCM decrypt + SHA-256, one buffer")]
    public byte[] RawDecryptAndHash()
    {
        _aes.Decrypt(_nonce, _ciphertext, _tag, _destination);
        return SHA256.HashData(_destination);
    }

    [Benchmark(Description = "raw AES-256-GCM encrypt, one buffer")]
    public void RawEncrypt() => _aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag);

    [Benchmark(Description = "seal (stream to stream, with SHA-256)")]
    public Task Seal() =>
        StreamSealer.SealAsync(new MemoryStream(_plaintext, writable: false), Stream.Null, _key, "model.onnx", ChunkSize, null, default);

    [Benchmark(Description = "unseal into memory (with SHA-256 check)")]
    public Task UnsealIntoMemory() =>
        StreamUnsealer.UnsealAsync(new MemoryStream(_sealed, writable: false), "model.onnx", _key, _expectation, _destination, null, null, default);
}
