using System.Text;
using System.Text.Json.Nodes;
using Jose;
using Mantle.Sealing.Keys;
using Mantle.Sealing.Manifest;

namespace Mantle.Sealing.Tests;

public sealed class SealedModelReaderTests : IDisposable
{
    private readonly SealedModelFixture _model = new();

    [Fact]
    public async Task ReadAsync_SealedFolder_ReturnsEveryFileInMemory()
    {
        using var model = await _model.Reader().ReadAsync(_model.Output);

        Assert.Equal(_model.Plain.Keys.Order(StringComparer.Ordinal), model.Files.Select(f => f.Path));
        foreach (var (path, content) in _model.Plain)
        {
            Assert.Equal(content, model.GetContent(path));
        }

        Assert.Equal("resnet", model.Manifest.Name);
        Assert.Equal("7", model.Manifest.Version);
        Assert.Equal(SealedModelManifest.PlatformOnnx, model.Manifest.Platform);
        Assert.Equal(_model.Key.Id, model.Manifest.KeyId);
    }

    [Fact]
    public async Task ReadAsync_KeyArrivesLate_UnsealsWhatWasReadAheadMeanwhile()
    {
        var late = new LateKeys(_model.Keys, TimeSpan.FromMilliseconds(300));

        using var model = await new SealedModelReader(_model.Signer.PublicKey, late).ReadAsync(_model.Output);

        Assert.Equal(1, late.Calls);
        foreach (var (path, content) in _model.Plain)
        {
            Assert.Equal(content, model.GetContent(path));
        }
    }

    [Fact]
    public async Task ReadAsync_KeyArrivesLateForAlteredFile_StillRefusesTheChunk()
    {
        FlipBit("model.onnx", 56 + 1040 + 500);

        var error = await Assert.ThrowsAsync<SealingException>(() =>
            new SealedModelReader(_model.Signer.PublicKey, new LateKeys(_model.Keys, TimeSpan.FromMilliseconds(200))).ReadAsync(_model.Output));

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
    }

    [Fact]
    public async Task Dispose_UnsealedModel_ClearsPlaintext()
    {
        var model = await _model.Reader().ReadAsync(_model.Output);
        var content = model.GetContent("model.onnx");

        model.Dispose();

        Assert.All(content, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task TakeContent_ThenDispose_LeavesTheTakenFileToTheCaller()
    {
        var model = await _model.Reader().ReadAsync(_model.Output);
        var taken = model.TakeContent("model.onnx");
        var other = model.GetContent("model.onnx.data");

        model.Dispose();

        Assert.Equal(_model.Plain["model.onnx"], taken);
        Assert.All(other, b => Assert.Equal(0, b));
    }

    [Fact]
    public void IsSealedFolder_SealedAndPlainFolders_AreToldApart()
    {
        Assert.True(SealedModel.IsSealedFolder(_model.Output));
        Assert.False(SealedModel.IsSealedFolder(_model.Input));
        Assert.False(SealedModel.IsSealedFolder(_model.Folder.Combine("nowhere")));
    }

    [Fact]
    public void SealedFolder_HasOneSealedFilePerInputAndManifest()
    {
        var files = Directory.EnumerateFiles(_model.Output, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_model.Output, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            _model.Plain.Keys.Select(p => p + ".sealed").Append("mantle-manifest.json").Order(StringComparer.Ordinal),
            files);
    }

    [Fact]
    public async Task ExtractAsync_SealedFolder_WritesOriginalFiles()
    {
        var output = _model.Folder.Combine("out");

        await _model.Reader().ExtractAsync(_model.Output, output);

        foreach (var (path, content) in _model.Plain)
        {
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(output, path)));
        }
    }

    [Fact]
    public async Task ReadAsync_ManifestEdited_SignatureRefused()
    {
        EditPayload(payload => payload["files"]![0]!["size"] = 1);

        var error = await Refused();

        Assert.Equal(SealingErrorCode.ManifestSignatureInvalid, error.Code);
        Assert.Contains($"does not verify with owner key {_model.Signer.PublicKey.Thumbprint}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ManifestResignedByAnotherKey_SignerRefused()
    {
        using var other = OwnerSigningKey.Generate();
        var payload = ReadPayload();
        WriteEnvelope(JWT.EncodeBytes(payload, other.Key, JwsAlgorithm.ES384,
            new Dictionary<string, object> { ["kid"] = other.PublicKey.Thumbprint, ["typ"] = "mantle-manifest+jws" }));

        var error = await Refused();

        Assert.Equal(SealingErrorCode.ManifestUntrustedSigner, error.Code);
        Assert.Contains($"signed by key {other.PublicKey.Thumbprint}, not by the configured owner key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ManifestResignedByAnotherKeyClaimingOwnersKid_SignatureRefused()
    {
        using var other = OwnerSigningKey.Generate();
        WriteEnvelope(JWT.EncodeBytes(ReadPayload(), other.Key, JwsAlgorithm.ES384,
            new Dictionary<string, object> { ["kid"] = _model.Signer.PublicKey.Thumbprint, ["typ"] = "mantle-manifest+jws" }));

        var error = await Refused();

        Assert.Equal(SealingErrorCode.ManifestSignatureInvalid, error.Code);
    }

    [Fact]
    public async Task ReadAsync_ManifestSignedForAnotherPurpose_IsRefused()
    {
        WriteEnvelope(JWT.EncodeBytes(ReadPayload(), _model.Signer.Key, JwsAlgorithm.ES384,
            new Dictionary<string, object> { ["kid"] = _model.Signer.PublicKey.Thumbprint }));

        var error = await Refused();

        Assert.Equal(SealingErrorCode.ManifestInvalid, error.Code);
        Assert.Contains("not a Mantle manifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ManifestBadSignature_NeverAsksForTheModelKey()
    {
        EditPayload(payload => payload["name"] = "other");
        var keys = new RecordingResolver();

        await Assert.ThrowsAsync<SealingException>(() => new SealedModelReader(_model.Signer.PublicKey, keys).ReadAsync(_model.Output));

        Assert.Equal(0, keys.Calls);
    }

    [Fact]
    public async Task ReadAsync_ManifestMissing_SaysNotSealed()
    {
        File.Delete(Path.Combine(_model.Output, SealedModel.ManifestFileName));

        var error = await Refused();

        Assert.Equal(SealingErrorCode.ManifestMissing, error.Code);
        Assert.Contains("has no mantle-manifest.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_FileDropped_NamesMissingFile()
    {
        File.Delete(_model.Sealed("tls/server.key"));

        var error = await Refused();

        Assert.Equal(SealingErrorCode.FileMissing, error.Code);
        Assert.Contains("'tls/server.key.sealed' listed in the signed manifest is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_FileAdded_NamesExtraFile()
    {
        _model.Folder.WriteFile("sealed/extra.onnx.sealed", [1, 2, 3]);

        var error = await Refused();

        Assert.Equal(SealingErrorCode.UnexpectedFile, error.Code);
        Assert.Contains("'extra.onnx.sealed', which the signed manifest does not list", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SealedFileRenamed_IsRefusedAsMissing()
    {
        File.Move(_model.Sealed("model.onnx.data"), _model.Folder.Combine("sealed", "weights.sealed"));

        var error = await Refused();

        Assert.Equal(SealingErrorCode.FileMissing, error.Code);
        Assert.Contains("'model.onnx.data.sealed'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SealedFileMovedOverAnotherPath_HeaderRefused()
    {
        // model.onnx.data's ciphertext put where tls/server.key's belongs: its salt and its path binding both differ.
        File.Copy(_model.Sealed("model.onnx.data"), _model.Sealed("tls/server.key"), overwrite: true);

        var error = await Refused();

        Assert.Equal(SealingErrorCode.HeaderMismatch, error.Code);
        Assert.Contains("The header of 'tls/server.key' does not match the signed manifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_HeaderSaltBitFlipped_HeaderRefused()
    {
        FlipBit("model.onnx", 30);

        var error = await Refused();

        Assert.Equal(SealingErrorCode.HeaderMismatch, error.Code);
    }

    [Theory]
    [InlineData(56)]
    [InlineData(56 + 1040 + 500)]
    [InlineData(56 + (3 * 1040) + 20)]
    public async Task ReadAsync_CiphertextOrTagBitFlipped_ChunkRefused(int position)
    {
        FlipBit("model.onnx", position);

        var error = await Refused();

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
        Assert.Contains("of 'model.onnx' failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(56 + (3 * 1040))]
    [InlineData(56 + 700)]
    public async Task ReadAsync_Truncated_SaysTruncated(int length)
    {
        var path = _model.Sealed("model.onnx");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..length]);

        var error = await Refused();

        Assert.Equal(SealingErrorCode.Truncated, error.Code);
        Assert.Contains("'model.onnx' is truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_DataAppended_SaysAppended()
    {
        File.AppendAllText(_model.Sealed("model.onnx"), "x");

        var error = await Refused();

        Assert.Equal(SealingErrorCode.TrailingData, error.Code);
        Assert.Contains("data was appended", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_WrongModelKey_NamesNeededKeyId()
    {
        using var keys = new ModelKeyRing();
        keys.Add(ModelKey.Generate());

        var error = await Assert.ThrowsAsync<SealingException>(() => new SealedModelReader(_model.Signer.PublicKey, keys).ReadAsync(_model.Output));

        Assert.Equal(SealingErrorCode.KeyNotFound, error.Code);
        Assert.Contains($"needs model key {_model.Key.Id}, which was not supplied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_WrongOwnerKey_SignerRefused()
    {
        using var other = OwnerSigningKey.Generate();

        var error = await Assert.ThrowsAsync<SealingException>(() => new SealedModelReader(other.PublicKey, _model.Keys).ReadAsync(_model.Output));

        Assert.Equal(SealingErrorCode.ManifestUntrustedSigner, error.Code);
    }

    [Fact]
    public async Task ExtractAsync_TamperedFile_LeavesNoOutput()
    {
        FlipBit("tls/server.key", 60);
        var output = _model.Folder.Combine("out");

        await Assert.ThrowsAsync<SealingException>(() => _model.Reader().ExtractAsync(_model.Output, output));

        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task ReadAsync_Refusal_NeverEchoesPlaintextOrKey()
    {
        FlipBit("model.onnx", 100);

        var error = await Refused();

        var text = error.ToString();
        Assert.DoesNotContain(Convert.ToHexString(_model.Key.Bytes), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(_model.Key.Bytes), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(_model.Plain["model.onnx"].AsSpan(0, 16)), text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Inspect_NeedsNoKey_ShowsSigner()
    {
        var inspection = SealedModel.Inspect(_model.Output);

        Assert.Equal(_model.Signer.PublicKey.Thumbprint, inspection.SignerKeyId);
        Assert.Equal("ES384", inspection.Algorithm);
        Assert.Equal(4, inspection.Manifest.Files.Count);
        Assert.Equal(_model.Plain["model.onnx"].Length, inspection.Manifest.Files.Single(f => f.Path == "model.onnx").Size);
    }

    public void Dispose() => _model.Dispose();

    private async Task<SealingException> Refused() =>
        await Assert.ThrowsAsync<SealingException>(() => _model.Reader().ReadAsync(_model.Output));

    private void FlipBit(string path, int position)
    {
        var file = _model.Sealed(path);
        File.WriteAllBytes(file, TestBytes.FlipBit(File.ReadAllBytes(file), position));
    }

    private string ManifestPath => Path.Combine(_model.Output, SealedModel.ManifestFileName);

    private byte[] ReadPayload() =>
        Base64Url.Decode(JsonNode.Parse(File.ReadAllText(ManifestPath))!["payload"]!.GetValue<string>());

    private void EditPayload(Action<JsonNode> edit)
    {
        var envelope = JsonNode.Parse(File.ReadAllText(ManifestPath))!;
        var payload = JsonNode.Parse(ReadPayload())!;
        edit(payload);
        envelope["payload"] = Base64Url.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        File.WriteAllText(ManifestPath, envelope.ToJsonString());
    }

    private void WriteEnvelope(string compact)
    {
        var parts = compact.Split('.');
        File.WriteAllText(ManifestPath, new JsonObject { ["protected"] = parts[0], ["payload"] = parts[1], ["signature"] = parts[2] }.ToJsonString());
    }

    private sealed class RecordingResolver : IModelKeyResolver
    {
        public int Calls { get; private set; }

        public ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default)
        {
            Calls++;
            return ValueTask.FromResult<ModelKey?>(null);
        }
    }

    /// <summary>A resolver that answers after a delay, like a key broker over the network.</summary>
    private sealed class LateKeys(IModelKeyResolver inner, TimeSpan delay) : IModelKeyResolver
    {
        public int Calls { get; private set; }

        public async ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default)
        {
            Calls++;
            await Task.Delay(delay, cancellationToken);
            return await inner.ResolveAsync(keyId, cancellationToken);
        }
    }
}
