using Mantle.Serving.Engine;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Repository;

public sealed class ModelSourceTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    /// <summary>Stands in for a sealed-model source: recognizes its own file and returns the bytes it decodes.</summary>
    private sealed class ScrambledSource : IModelSource
    {
        public const string FileName = "model.scrambled";

        public bool IsSealed => false;

        public bool CanRead(string versionDirectory) => File.Exists(Path.Combine(versionDirectory, FileName));

        public async Task<byte[]> ReadAsync(string versionDirectory, CancellationToken cancellationToken = default)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(versionDirectory, FileName), cancellationToken);
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] ^= 0x5A;
            }

            return bytes;
        }
    }

    [Fact]
    public async Task Sources_FirstThatRecognizesTheFolderReadsIt()
    {
        var basePath = Path.Combine(_root.Path, "m");
        var folder = Path.Combine(basePath, "1");
        Directory.CreateDirectory(folder);
        var scrambled = TestModels.Identity(TensorElementType.Int32).Select(b => (byte)(b ^ 0x5A)).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(folder, ScrambledSource.FileName), scrambled);
        var options = new ModelRepositoryOptions();
        options.Sources.Insert(0, new ScrambledSource());
        await using var repository = new ModelRepository([new ModelConfig { Name = "m", BasePath = basePath }], options);

        await repository.LoadAsync();

        Assert.Equal(TensorElementType.Int32, repository.Find("m").Model?.Signature.Inputs[0].ElementType);
    }

    [Fact]
    public async Task Find_VersionStillLoading_IsUnavailableAndStatusSaysLoading()
    {
        var basePath = Path.Combine(_root.Path, "m");
        TestModels.WriteVersion(basePath, 1, TestModels.Tiny());
        var source = new GatedSource();
        var options = new ModelRepositoryOptions();
        options.Sources.Clear();
        options.Sources.Add(source);
        await using var repository = new ModelRepository([new ModelConfig { Name = "m", BasePath = basePath }], options);

        var loading = repository.LoadAsync();
        await source.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(repository.IsReady);
        Assert.Equal(ModelVersionState.Loading, repository.GetStatus("m", 1).Single().State);
        Assert.Equal(ServingErrorCode.Unavailable, repository.Find("m", version: 1).Error?.Code);
        Assert.Equal(ServingErrorCode.Unavailable, repository.Find("m").Error?.Code);

        source.Gate.SetResult();
        await loading;
        Assert.True(repository.IsReady);
        Assert.Equal(ModelVersionState.Available, repository.GetStatus("m", 1).Single().State);
    }

    [Fact]
    public async Task RequireSealed_PlaintextSource_RefusedBeforeTheSourceReadsAByte()
    {
        var basePath = Path.Combine(_root.Path, "m");
        TestModels.WriteVersion(basePath, 1, TestModels.Tiny());
        var source = new GatedSource();
        source.Gate.SetResult();
        var options = new ModelRepositoryOptions { RequireSealed = true };
        options.Sources.Clear();
        options.Sources.Add(source);
        await using var repository = new ModelRepository([new ModelConfig { Name = "m", BasePath = basePath }], options);

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => repository.LoadAsync());

        Assert.False(source.Entered.Task.IsCompleted);
        Assert.Contains("an owner key is configured, so every model must be sealed", error.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-plaintext-model m", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequireSealed_ModelNamedInAllowPlaintext_LoadsItsPlaintextVersion()
    {
        var basePath = Path.Combine(_root.Path, "m");
        TestModels.WriteVersion(basePath, 1, TestModels.Tiny());
        var options = new ModelRepositoryOptions { RequireSealed = true };
        options.AllowPlaintext.Add("m");
        await using var repository = new ModelRepository([new ModelConfig { Name = "m", BasePath = basePath }], options);

        await repository.LoadAsync();

        Assert.Equal(1, repository.Find("m").Model?.Version);
    }
}
