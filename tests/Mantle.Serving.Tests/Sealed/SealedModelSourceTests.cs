using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Mantle.Serving.Engine;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;

namespace Mantle.Serving.Tests.Sealed;

/// <summary>Refusals of the sealed-model source, through the model repository, on small sealed models.</summary>
public sealed class SealedModelSourceTests : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly ModelOwner _owner;
    private readonly CountingResolver _resolver;

    public SealedModelSourceTests()
    {
        _owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        _resolver = new CountingResolver(_owner.Keys);
    }

    private string SealedBase => Path.Combine(_root.Path, "sealed");

    private string GoodBase => Path.Combine(_root.Path, "good");

    public void Dispose()
    {
        _owner.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task GoodSealedModel_Loads_AndAnswersLikeThePlaintextModel()
    {
        await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, _resolver));

        await repository.LoadAsync();

        using var result = await repository.Find("sealed").Model!.InferAsync(new InferenceRequest([Row(1, 2, 3)]));
        Assert.Null(result.Error);
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(result.Outputs[0].Data.Span).ToArray());
        Assert.Equal(1, _resolver.Calls);
    }

    [Fact]
    public async Task TamperedCiphertext_RefusedNamingTheFile_OtherModelKeepsServing()
    {
        var folder = await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        FlipByte(Path.Combine(folder, "model.onnx.sealed"), 100);
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, _resolver));

        await repository.RefreshAsync();

        var error = RefusedWith(repository);
        Assert.Contains("Model 'sealed' version 1", error, StringComparison.Ordinal);
        Assert.Contains(folder, error, StringComparison.Ordinal);
        Assert.Contains("'model.onnx' failed authentication", error, StringComparison.Ordinal);
        Assert.NotNull(repository.Find("good").Model);
        await Assert.ThrowsAsync<ModelLoadException>(() => repository.LoadAsync());
    }

    [Fact]
    public async Task WrongModelKey_RefusedNamingKeyIdAndFlag_KeyNeverInMessage()
    {
        await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        using var otherOwner = new ModelOwner(Path.Combine(_root.Path, "other"));
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, otherOwner.Keys));

        await repository.RefreshAsync();

        var error = RefusedWith(repository);
        Assert.Contains($"needs model key {_owner.Key.Id}, which was not supplied", error, StringComparison.Ordinal);
        Assert.Contains("--key-file", error, StringComparison.Ordinal);
        foreach (var keyFile in new[] { _owner.KeyFile, otherOwner.KeyFile })
        {
            var secret = JsonNode.Parse(await File.ReadAllTextAsync(keyFile))!["key"]!.GetValue<string>();
            Assert.DoesNotContain(secret, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoOwnerKey_RefusedNamingModelVersionKeyIdAndFlag()
    {
        var folder = await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd(), name: "resnet");
        await using var repository = Repository(new SealedModelSource(null, _resolver));

        await repository.RefreshAsync();

        var error = RefusedWith(repository);
        Assert.Contains($"Model 'sealed' version 1: {folder} holds a sealed model (manifest 'resnet' version 1, model key {_owner.Key.Id}; not verified)", error, StringComparison.Ordinal);
        Assert.Contains("pass --owner-key FILE.pub", error, StringComparison.Ordinal);
        Assert.Equal(0, _resolver.Calls);
    }

    [Fact]
    public async Task OtherOwnersKey_RefusedAsUntrustedSigner_BeforeAnyKeyIsRequested()
    {
        await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        using var otherOwner = new ModelOwner(Path.Combine(_root.Path, "other"));
        await using var repository = Repository(new SealedModelSource(otherOwner.PublicKey, _resolver));

        await repository.RefreshAsync();

        var error = RefusedWith(repository);
        Assert.Contains("(ManifestUntrustedSigner)", error, StringComparison.Ordinal);
        Assert.Contains($"signed by key {_owner.PublicKey.Thumbprint}, not by the configured owner key {otherOwner.PublicKey.Thumbprint}", error, StringComparison.Ordinal);
        Assert.Contains("--owner-key", error, StringComparison.Ordinal);
        Assert.Equal(0, _resolver.Calls);
    }

    [Fact]
    public async Task EditedManifest_RefusedBadSignature_BeforeAnyKeyIsRequested()
    {
        var folder = await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        var manifestPath = Path.Combine(folder, SealedModel.ManifestFileName);
        var envelope = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!;
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(envelope["payload"]!.GetValue<string>()))!;
        payload["name"] = "renamed";
        envelope["payload"] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        await File.WriteAllTextAsync(manifestPath, envelope.ToJsonString());
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, _resolver));

        await repository.RefreshAsync();

        var error = RefusedWith(repository);
        Assert.Contains("(ManifestSignatureInvalid)", error, StringComparison.Ordinal);
        Assert.Contains(manifestPath, error, StringComparison.Ordinal);
        Assert.Equal(0, _resolver.Calls);
    }

    [Fact]
    public async Task MissingSealedFile_RefusedNamingTheFile()
    {
        var folder = await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        File.Delete(Path.Combine(folder, "model.onnx.sealed"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "other.sealed"), [1, 2, 3]);
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, _resolver));

        await repository.RefreshAsync();

        var error = RefusedWith(repository);
        Assert.Contains("(FileMissing)", error, StringComparison.Ordinal);
        Assert.Contains("'model.onnx.sealed' listed in the signed manifest is missing", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SealedFolderWithPlaintextModelBeside_RefusedNotReadAsPlaintext()
    {
        var folder = await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        await File.WriteAllBytesAsync(Path.Combine(folder, OnnxFileSource.FileName), TestModels.Tiny());
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, _resolver));

        await repository.RefreshAsync();

        Assert.Contains("(UnexpectedFile)", RefusedWith(repository), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Polling_BadNewSealedVersion_OldVersionKeepsServing()
    {
        await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, _resolver));
        await repository.LoadAsync();
        var staging = Path.Combine(_root.Path, "staging");
        var bad = await _owner.SealAsync(staging, 2, TestModels.Tiny());
        FlipByte(Path.Combine(bad, "model.onnx.sealed"), 60);
        Directory.Move(bad, Path.Combine(SealedBase, "2"));

        await repository.RefreshAsync();

        Assert.Equal(1, repository.Find("sealed").Model!.Version);
        var failed = Assert.Single(repository.GetStatus("sealed", 2));
        Assert.Equal(ModelVersionState.End, failed.State);
        Assert.Contains("'model.onnx'", failed.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(ModelVersionState.Available, Assert.Single(repository.GetStatus("sealed", 1)).State);
    }

    [Fact]
    public async Task SealedBasePath_PlaintextVersionBeside_RefusedWithoutRequireSealed_PlaintextModelUnaffected()
    {
        await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        TestModels.WriteVersion(SealedBase, 2, TestModels.MatMulAdd());
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, _resolver));

        await repository.LoadAsync();

        Assert.Equal(1, repository.Find("sealed").Model!.Version);
        var refused = Assert.Single(repository.GetStatus("sealed", 2));
        Assert.Equal(ModelVersionState.End, refused.State);
        Assert.Contains("accepts sealed versions only (its base path holds sealed versions)", refused.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(1, repository.Find("good").Model!.Version);
    }

    [Fact]
    public async Task SealedVersionRemovedWhileServing_PlaintextVersionStillRefused()
    {
        var sealedFolder = await _owner.SealAsync(SealedBase, 1, TestModels.MatMulAdd());
        await using var repository = Repository(new SealedModelSource(_owner.PublicKey, _resolver));
        await repository.LoadAsync();
        Directory.Delete(sealedFolder, recursive: true);
        TestModels.WriteVersion(SealedBase, 2, TestModels.MatMulAdd());

        await repository.RefreshAsync();

        Assert.Contains("holds a plaintext model", Assert.Single(repository.GetStatus("sealed", 2)).Error!.Message, StringComparison.Ordinal);
        Assert.Null(repository.Find("sealed", version: 2).Model);
    }

    private static InferenceTensor Row(float a, float b, float c) =>
        InferenceTensor.FromBytes("x", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [1, 3], System.Runtime.InteropServices.MemoryMarshal.AsBytes(new[] { a, b, c }.AsSpan()).ToArray());

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var value = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ 0x01));
    }

    private static string RefusedWith(ModelRepository repository)
    {
        var status = Assert.Single(repository.GetStatus("sealed"));
        Assert.Equal(ModelVersionState.End, status.State);
        Assert.Null(repository.Find("sealed").Model);
        return status.Error!.Message;
    }

    private ModelRepository Repository(SealedModelSource source)
    {
        TestModels.WriteVersion(GoodBase, 1, TestModels.MatMulAdd());
        var options = new ModelRepositoryOptions();
        options.Sources.Insert(0, source);
        return new ModelRepository(
            [new ModelConfig { Name = "sealed", BasePath = SealedBase }, new ModelConfig { Name = "good", BasePath = GoodBase }],
            options);
    }

    /// <summary>Counts key requests, to show that an unverified manifest never reaches the key resolver.</summary>
    private sealed class CountingResolver(IModelKeyResolver inner) : IModelKeyResolver
    {
        public int Calls { get; private set; }

        public ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default)
        {
            Calls++;
            return inner.ResolveAsync(keyId, cancellationToken);
        }
    }
}
