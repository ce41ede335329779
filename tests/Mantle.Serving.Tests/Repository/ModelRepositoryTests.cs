using Mantle.Serving.Engine;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Repository;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private string BasePath => Path.Combine(_root.Path, "m");

    private ModelRepository Create(ModelVersionPolicy? policy = null, Dictionary<string, long>? labels = null) =>
        new([new ModelConfig { Name = "m", BasePath = BasePath, VersionPolicy = policy ?? ModelVersionPolicy.Default, Labels = labels ?? [] }]);

    private static byte[] Model() => TestModels.Identity(TensorElementType.Float);

    [Fact]
    public async Task LoadAsync_DefaultPolicy_ServesOnlyTheLatestVersion()
    {
        TestModels.WriteVersion(BasePath, 1, Model());
        TestModels.WriteVersion(BasePath, 3, Model());
        TestModels.WriteVersion(BasePath, 2, Model());
        await using var repository = Create();

        await repository.LoadAsync();

        Assert.True(repository.IsReady);
        Assert.Equal(3, repository.Find("m").Model?.Version);
        Assert.Equal(ServingErrorCode.NotFound, repository.Find("m", version: 2).Error?.Code);
        Assert.Equal(ModelVersionState.Available, repository.GetStatus("m", 3).Single().State);
        Assert.Single(repository.GetStatus("m"));
    }

    [Fact]
    public async Task LoadAsync_LatestTwo_ServesTheTwoHighest()
    {
        foreach (var v in new[] { 1L, 2, 3 })
        {
            TestModels.WriteVersion(BasePath, v, Model());
        }

        await using var repository = Create(ModelVersionPolicy.Latest(2));
        await repository.LoadAsync();

        Assert.False(repository.Find("m", version: 1).Found);
        Assert.True(repository.Find("m", version: 2).Found);
        Assert.True(repository.Find("m", version: 3).Found);
    }

    [Fact]
    public async Task LoadAsync_AllAndSpecific_ServeWhatTheyList()
    {
        foreach (var v in new[] { 1L, 2, 3 })
        {
            TestModels.WriteVersion(BasePath, v, Model());
        }

        await using (var all = Create(ModelVersionPolicy.All()))
        {
            await all.LoadAsync();
            Assert.All(new long[] { 1, 2, 3 }, v => Assert.True(all.Find("m", v).Found));
        }

        await using var specific = Create(ModelVersionPolicy.Specific([1, 3]));
        await specific.LoadAsync();
        Assert.True(specific.Find("m", 1).Found);
        Assert.False(specific.Find("m", 2).Found);
        Assert.Equal(3, specific.Find("m").Model?.Version);
    }

    [Fact]
    public async Task Find_Labels_ResolveToTheirVersions()
    {
        TestModels.WriteVersion(BasePath, 1, Model());
        TestModels.WriteVersion(BasePath, 2, Model());
        await using var repository = Create(ModelVersionPolicy.All(), new() { ["stable"] = 1, ["canary"] = 2 });
        await repository.LoadAsync();

        Assert.Equal(1, repository.Find("m", label: "stable").Model?.Version);
        Assert.Equal(2, repository.Find("m", label: "canary").Model?.Version);
        Assert.Equal(ServingErrorCode.NotFound, repository.Find("m", label: "beta").Error?.Code);
        Assert.Equal(2, repository.GetLabels("m").Count);
    }

    [Fact]
    public async Task LoadAsync_LabelOnUnavailableVersion_RefusesToStart()
    {
        TestModels.WriteVersion(BasePath, 1, Model());
        TestModels.WriteVersion(BasePath, 2, Model());
        await using var repository = Create(labels: new() { ["stable"] = 1 });

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => repository.LoadAsync());

        Assert.Contains("label 'stable' points at version 1, which is not available", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_UnknownModel_IsNotFoundAndListsServedModels()
    {
        TestModels.WriteVersion(BasePath, 1, Model());
        await using var repository = Create();
        await repository.LoadAsync();

        var lookup = repository.Find("other");

        Assert.Equal(ServingErrorCode.NotFound, lookup.Error?.Code);
        Assert.Contains("served models: m", lookup.Error?.Message, StringComparison.Ordinal);
        Assert.Empty(repository.GetStatus("other"));
    }

    [Fact]
    public async Task LoadAsync_MissingBasePath_NamesThePath()
    {
        await using var repository = Create();

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => repository.LoadAsync());

        Assert.Contains(BasePath, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_VersionFolderWithoutModel_NamesTheFolder()
    {
        Directory.CreateDirectory(Path.Combine(BasePath, "4"));
        await using var repository = Create();

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => repository.LoadAsync());

        Assert.Contains(Path.Combine(BasePath, "4"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("model.onnx", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshAsync_NewVersionAppears_LoadsItAndUnloadsTheOld()
    {
        TestModels.WriteVersion(BasePath, 1, Model());
        await using var repository = Create();
        await repository.LoadAsync();
        var old = repository.Find("m").Model!;

        TestModels.WriteVersion(BasePath, 2, Model());
        await repository.RefreshAsync();

        Assert.Equal(2, repository.Find("m").Model?.Version);
        var status = repository.GetStatus("m");
        Assert.Equal(ModelVersionState.End, status.Single(s => s.Version == 1).State);
        Assert.Null(status.Single(s => s.Version == 1).Error);
        Assert.Equal(ModelVersionState.Available, status.Single(s => s.Version == 2).State);
        using var result = await old.InferAsync(new InferenceRequest([InferenceTensor.FromBytes("x", TensorElementType.Float, [1, 2], new byte[8])]));
        Assert.Equal(ServingErrorCode.Unavailable, result.Error?.Code);
    }

    [Fact]
    public async Task RefreshAsync_CorruptNewVersion_KeepsTheOldServingAndRecordsTheError()
    {
        TestModels.WriteVersion(BasePath, 1, Model());
        await using var repository = Create();
        await repository.LoadAsync();

        var corrupt = TestModels.WriteVersion(BasePath, 2, [0x08, 0x01, 0xFF, 0xFF]);
        await repository.RefreshAsync();

        Assert.Equal(1, repository.Find("m").Model?.Version);
        var failed = repository.GetStatus("m", 2).Single();
        Assert.Equal(ModelVersionState.End, failed.State);
        Assert.Contains(corrupt, failed.Error?.Message, StringComparison.Ordinal);
        using var result = await repository.Find("m").Model!.InferAsync(new InferenceRequest([InferenceTensor.FromBytes("x", TensorElementType.Float, [1, 2], new byte[8])]));
        Assert.Null(result.Error);

        // A fixed folder is tried again.
        await File.WriteAllBytesAsync(Path.Combine(corrupt, "model.onnx"), Model());
        File.SetLastWriteTimeUtc(Path.Combine(corrupt, "model.onnx"), DateTime.UtcNow.AddMinutes(1));
        await repository.RefreshAsync();
        Assert.Equal(2, repository.Find("m").Model?.Version);
    }

    [Fact]
    public async Task RefreshAsync_VersionFolderRemoved_UnloadsIt()
    {
        TestModels.WriteVersion(BasePath, 1, Model());
        var two = TestModels.WriteVersion(BasePath, 2, Model());
        await using var repository = Create(ModelVersionPolicy.All());
        await repository.LoadAsync();

        Directory.Delete(two, recursive: true);
        await repository.RefreshAsync();

        Assert.False(repository.Find("m", 2).Found);
        Assert.Equal(ModelVersionState.End, repository.GetStatus("m", 2).Single().State);
        Assert.Equal(1, repository.Find("m").Model?.Version);
    }

    [Fact]
    public void Constructor_NonOnnxPlatformOrDuplicateName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ModelRepository([new ModelConfig { Name = "t", BasePath = BasePath, Platform = "tensorflow" }]));
        Assert.Throws<ArgumentException>(() => new ModelRepository([new ModelConfig { Name = "t", BasePath = BasePath }, new ModelConfig { Name = "t", BasePath = BasePath }]));
    }
}
