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
    public async Task Serve_TamperedNewSealedVersion_RefusedNamingFile_OldVersionAndOtherModelKeepServing()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        var sealedBase = Path.Combine(_root.Path, "sm");
        var plainBase = Path.Combine(_root.Path, "tiny");
        await owner.SealAsync(sealedBase, 1, TestModels.MatMulAdd());
        TestModels.WriteVersion(plainBase, 1, TestModels.Tiny());
        var config = Path.Combine(_root.Path, "models.config");
        await File.WriteAllTextAsync(config, $"model_config_list {{\n config {{ name: \"sm\" base_path: \"{sealedBase}\" }}\n config {{ name: \"tiny\" base_path: \"{plainBase}\" }}\n}}\n");
        using var process = MantleProcess.Start(
            "serve", "--plaintext", "--json", "--model_config_file", config, "--owner-key", owner.PublicKeyFile, "--key-file", owner.KeyFile,
            "--file_system_poll_wait_seconds", "1", "--port", "0", "--rest_api_port", "0");
        using var ready = JsonDocument.Parse(await process.FirstStdoutLineAsync(Timeout));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ready.RootElement.GetProperty("rest_port").GetInt32()}") };
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ready.RootElement.GetProperty("grpc_port").GetInt32()}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        var staged = await owner.SealAsync(Path.Combine(_root.Path, "staging"), 2, TestModels.MatMulAdd());
        var stagedFile = Path.Combine(staged, "model.onnx.sealed");
        var bytes = await File.ReadAllBytesAsync(stagedFile);
        bytes[^1] ^= 0x80;
        await File.WriteAllBytesAsync(stagedFile, bytes);
        Directory.Move(staged, Path.Combine(sealedBase, "2"));
        JsonElement status = default;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            using var response = await http.GetAsync("/v1/models/sm/versions/2");
            if (response.IsSuccessStatusCode)
            {
                status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("model_version_status")[0];
                if (status.GetProperty("state").GetString() == "END")
                {
                    break;
                }
            }
        }

        var sealedAnswer = await KServeGrpcTestClient.InferAsync(client, "sm", [InferenceTensor.FromBytes("x", TensorElementType.Float, [1, 3], new byte[12])]);
        var plainAnswer = await KServeGrpcTestClient.InferAsync(client, "tiny", [InferenceTensor.FromBytes("x", TensorElementType.Float, [1], new byte[4])]);
        using var current = await http.GetAsync("/v1/models/sm");
        var versions = JsonDocument.Parse(await current.Content.ReadAsStringAsync()).RootElement.GetProperty("model_version_status");
        await process.TerminateAsync();
        Assert.Equal(0, await process.WaitForExitAsync(Timeout));

        Assert.Equal("END", status.GetProperty("state").GetString());
        var error = status.GetProperty("status").GetProperty("error_message").GetString()!;
        Assert.Contains("Chunk 0 of 'model.onnx' failed authentication", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(sealedBase, "2"), error, StringComparison.Ordinal);
        Assert.Contains(versions.EnumerateArray(), v => v.GetProperty("version").GetString() == "1" && v.GetProperty("state").GetString() == "AVAILABLE");
        Assert.True(sealedAnswer.Error is null, sealedAnswer.Error);
        Assert.True(plainAnswer.Error is null, plainAnswer.Error);
        Assert.Contains("Failed to load model sm version 2", process.Stderr, StringComparison.Ordinal);
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

    [Fact]
    public async Task Serve_OwnerKeyIsThePrivateKey_UsageErrorNamingPubFile()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        var basePath = Path.Combine(_root.Path, "m");
        await owner.SealAsync(basePath, 1, TestModels.MatMulAdd());

        var (exitCode, stderr) = await ServeAsync(basePath, "--owner-key", owner.SigningKeyFile, "--key-file", owner.KeyFile);

        Assert.Equal(2, exitCode);
        Assert.Contains($"'{owner.SigningKeyFile}' holds a private signing key", stderr, StringComparison.Ordinal);
        Assert.Contains("'.pub' file", stderr, StringComparison.Ordinal);
        Assert.Contains("must not leave the owner's machine", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Loaded model", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stderr)> ServeAsync(string basePath, params string[] keyArgs)
    {
        using var process = MantleProcess.Start(
            ["serve", "--plaintext", "--model_name", "mm", "--model_base_path", basePath, "--port", "0", "--rest_api_port", "0", .. keyArgs]);
        var exitCode = await process.WaitForExitAsync(Timeout);
        return (exitCode, process.Stderr);
    }
}
