using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Mantle.Serving.Repository;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// Time to ready for ResNet-18 (63.6 MB): a model repository loading the plaintext <c>model.onnx</c> (baseline)
/// against the same model sealed (verify, unseal into memory, hash, session from bytes, clear), and the unsealing
/// alone. Run: <c>dotnet run -c Release --project bench/Mantle.Benchmarks -- --filter *SealedStartup*</c> (in process).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(StartupConfig))]
public class SealedStartupBenchmarks
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mantle-bench-" + Guid.NewGuid().ToString("N"));
    private OwnerSigningKey _signer = null!;
    private ModelKeyRing _keys = null!;
    private SealedModelSource _source = null!;

    private string PlainBase => Path.Combine(_root, "plain");

    private string SealedBase => Path.Combine(_root, "sealed");

    [GlobalSetup]
    public void Setup()
    {
        var model = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        Directory.CreateDirectory(Path.Combine(PlainBase, "1"));
        File.CreateSymbolicLink(Path.Combine(PlainBase, "1", "model.onnx"), model);
        var keyFile = Path.Combine(_root, "model.key");
        using (var key = ModelKey.Generate())
        {
            key.Save(keyFile);
            _signer = OwnerSigningKey.Generate();
            ModelSealer.SealAsync(model, Path.Combine(SealedBase, "1"), key, _signer).GetAwaiter().GetResult();
        }

        _keys = ModelKeyRing.Load([keyFile]);
        _source = new SealedModelSource(_signer.PublicKey, _keys);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _keys.Dispose();
        _signer.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "plaintext model.onnx to ready")]
    public Task Plaintext() => LoadAsync(PlainBase, sealedModels: false);

    [Benchmark(Description = "sealed model to ready")]
    public Task Sealed() => LoadAsync(SealedBase, sealedModels: true);

    [Benchmark(Description = "unseal only (verify, decrypt, hash)")]
    public async Task UnsealOnly()
    {
        var bytes = await _source.ReadAsync(Path.Combine(SealedBase, "1"));
        CryptographicOperations.ZeroMemory(bytes);
    }

    private async Task LoadAsync(string basePath, bool sealedModels)
    {
        var options = new ModelRepositoryOptions();
        options.Onnx.IntraOpThreads = 1;
        if (sealedModels)
        {
            options.Sources.Insert(0, _source);
        }

        var repository = new ModelRepository([new ModelConfig { Name = "resnet", BasePath = basePath }], options);
        await using (repository.ConfigureAwait(false))
        {
            await repository.LoadAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Each operation takes a few hundred milliseconds: one launch, measured operation by operation, in process.</summary>
    private sealed class StartupConfig : ManualConfig
    {
        public StartupConfig() => AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(10)
            .WithToolchain(InProcessEmitToolchain.Instance));
    }
}
