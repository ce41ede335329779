using System.Text.Json;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.Tests.Conformance;
using Mantle.Serving.Tests.Hosting;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Sealed;

/// <summary><c>mantle serve</c> with sealed models, as a process.</summary>
public sealed class SealedServeCommandTests(SealedResNetFixture fixture) : IClassFixture<SealedResNetFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Serve_SealedResNet18_NoPlaintextInWorkingTempOrSealedFolders()
    {
        using var work = new TempDirectory();
        using var temp = new TempDirectory();
        var scanner = new PlaintextScanner(await File.ReadAllBytesAsync(TestModels.ResNet18Path), windowCount: 16);
        Assert.Equal(16, scanner.WindowCount);
        Assert.NotEmpty(scanner.Scan(fixture.PlainBasePath));

        using var process = MantleProcess.StartIn(work.Path, new Dictionary<string, string> { ["TMPDIR"] = temp.Path },
            "serve", "--plaintext", "--json", "--model_name", "resnet", "--model_base_path", fixture.SealedBasePath,
            "--owner-key", fixture.Owner.PublicKeyFile, "--key-file", fixture.Owner.KeyFile, "--port", "0", "--rest_api_port", "0");
        using var ready = JsonDocument.Parse(await process.FirstStdoutLineAsync(Timeout));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ready.RootElement.GetProperty("grpc_port").GetInt32()}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var input = (await client.ModelMetadataAsync(new ModelMetadataRequest { Name = "resnet" })).Inputs.Single();
        var shape = input.Shape.Select(d => d < 0 ? 1 : d).ToArray();
        var image = InferenceTensor.FromBytes(input.Name, TensorElementType.Float, shape, new byte[shape.Aggregate(4L, (a, b) => a * b)]);
        var (outputs, error) = await KServeGrpcTestClient.InferAsync(client, "resnet", [image]);
        var whileServing = scanner.Scan(work.Path, temp.Path, fixture.SealedBasePath);
        await process.TerminateAsync();
        var exitCode = await process.WaitForExitAsync(Timeout);

        Assert.True(error is null, error);
        Assert.NotEmpty(outputs!);
        Assert.Equal(0, exitCode);
        Assert.Contains("Unsealed ResNet18.onnx", process.Stderr, StringComparison.Ordinal);
        Assert.Empty(whileServing);
        Assert.Empty(scanner.Scan(work.Path, temp.Path, fixture.SealedBasePath));
    }

    [Fact]
    public async Task Serve_SealedWithoutOwnerKey_ExitsNamingModelVersionKeyIdAndFlag()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        var basePath = Path.Combine(_root.Path, "m");
        await owner.SealAsync(basePath, 1, TestModels.MatMulAdd());

        var (exitCode, stderr) = await ServeAsync(basePath, "--key-file", owner.KeyFile);

        Assert.Equal(1, exitCode);
        Assert.Contains("Model 'mm' version 1:", stderr, StringComparison.Ordinal);
        Assert.Contains($"model key {owner.Key.Id}", stderr, StringComparison.Ordinal);
        Assert.Contains("pass --owner-key FILE.pub", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SealedWithWrongKeyFile_ExitsNamingKeyIdAndFlag()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        using var other = new ModelOwner(Path.Combine(_root.Path, "other"));
        var basePath = Path.Combine(_root.Path, "m");
        await owner.SealAsync(basePath, 1, TestModels.MatMulAdd());

        var (exitCode, stderr) = await ServeAsync(basePath, "--owner-key", owner.PublicKeyFile, "--key-file", other.KeyFile);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Model 'mm' version 1: The sealed model in {Path.Combine(basePath, "1")}", stderr, StringComparison.Ordinal);
        Assert.Contains($"needs model key {owner.Key.Id}, which was not supplied; pass --key-file FILE", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SealedWithOtherOwnersKey_ExitsUntrustedSigner()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        using var other = new ModelOwner(Path.Combine(_root.Path, "other"));
        var basePath = Path.Combine(_root.Path, "m");
        await owner.SealAsync(basePath, 1, TestModels.MatMulAdd());

        var (exitCode, stderr) = await ServeAsync(basePath, "--owner-key", other.PublicKeyFile, "--key-file", owner.KeyFile);

        Assert.Equal(1, exitCode);
        Assert.Contains("(ManifestUntrustedSigner)", stderr, StringComparison.Ordinal);
        Assert.Contains($"not by the configured owner key {other.PublicKey.Thumbprint}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_TamperedSealedModel_ExitsNamingTheFile()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        var basePath = Path.Combine(_root.Path, "m");
        var folder = await owner.SealAsync(basePath, 1, TestModels.MatMulAdd());
        var sealedFile = Path.Combine(folder, "model.onnx.sealed");
        var bytes = await File.ReadAllBytesAsync(sealedFile);
        bytes[^1] ^= 0x80;
        await File.WriteAllBytesAsync(sealedFile, bytes);

        var (exitCode, stderr) = await ServeAsync(basePath, "--owner-key", owner.PublicKeyFile, "--key-file", owner.KeyFile);

        Assert.Equal(1, exitCode);
        Assert.Contains("Chunk 0 of 'model.onnx' failed authentication", stderr, StringComparison.Ordinal);
        Assert.Contains(folder, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_OwnerKeyNotAPublicKey_UsageError()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        var basePath = Path.Combine(_root.Path, "m");
        await owner.SealAsync(basePath, 1, TestModels.MatMulAdd());

        var (exitCode, stderr) = await ServeAsync(basePath, "--owner-key", owner.KeyFile, "--key-file", owner.KeyFile);

        Assert.Equal(2, exitCode);
        Assert.Contains($"'{owner.KeyFile}' is not a PEM ECDSA public key", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stderr)> ServeAsync(string basePath, params string[] keyArgs)
    {
        using var process = MantleProcess.Start(
            ["serve", "--plaintext", "--model_name", "mm", "--model_base_path", basePath, "--port", "0", "--rest_api_port", "0", .. keyArgs]);
        var exitCode = await process.WaitForExitAsync(Timeout);
        return (exitCode, process.Stderr);
    }
}
