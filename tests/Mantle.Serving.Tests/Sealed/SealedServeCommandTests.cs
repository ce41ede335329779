using System.Text.Json;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.Tests.Conformance;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Sealed;

/// <summary><c>mantle serve</c> with sealed models, as a process.</summary>
public sealed class SealedServeCommandTests(SealedResNetFixture fixture) : IClassFixture<SealedResNetFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Serve_SealedResNet18_NoPlaintextInWorkingTempOrSealedFolders()
    {
        using var work = new TempFolder();
        using var temp = new TempFolder();
        var scanner = new PlaintextScanner(await File.ReadAllBytesAsync(TestModels.ResNet18Path), windowCount: 16);
        Assert.Equal(16, scanner.WindowCount);
        Assert.NotEmpty(scanner.Scan(fixture.PlainBasePath));

        using var process = MantleProcess.Start(
            new ChildProcessOptions { WorkingDirectory = work.Path, Environment = new Dictionary<string, string> { ["TMPDIR"] = temp.Path } },
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
        var (sealedBase, config) = await WriteSealedAndPlaintextConfigAsync(owner);
        using var process = MantleProcess.Start(
            "serve", "--plaintext", "--json", "--model_config_file", config, "--owner-key", owner.PublicKeyFile, "--key-file", owner.KeyFile,
            "--allow-plaintext-model", "tiny", "--file_system_poll_wait_seconds", "1", "--port", "0", "--rest_api_port", "0");
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
    public async Task Serve_PlaintextAndForeignSignedVersionsDroppedIn_RefusedWithWarnings_SealedVersionKeepsServing()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        using var host = Mantle.Sealing.Keys.OwnerSigningKey.Generate();
        var basePath = Path.Combine(_root.Path, "m");
        await owner.SealAsync(basePath, 1, TestModels.MatMulAdd());
        using var process = MantleProcess.Start(
            "serve", "--plaintext", "--json", "--model_name", "mm", "--model_base_path", basePath, "--owner-key", owner.PublicKeyFile, "--key-file", owner.KeyFile,
            "--file_system_poll_wait_seconds", "1", "--port", "0", "--rest_api_port", "0");
        using var ready = JsonDocument.Parse(await process.FirstStdoutLineAsync(Timeout));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ready.RootElement.GetProperty("rest_port").GetInt32()}") };

        var staging = Path.Combine(_root.Path, "staging");
        var plaintext = TestModels.WriteVersion(staging, 2, TestModels.MatMulAdd([1000, 2000]));
        var foreign = await owner.SealAsync(staging, 3, TestModels.MatMulAdd([1000, 2000]), signer: host);
        Directory.Move(plaintext, Path.Combine(basePath, "2"));
        Directory.Move(foreign, Path.Combine(basePath, "3"));
        var states = new Dictionary<string, string?>();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            using var response = await http.GetAsync("/v1/models/mm");
            var statuses = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("model_version_status").EnumerateArray();
            states = statuses.ToDictionary(s => s.GetProperty("version").GetString()!, s => s.GetProperty("state").GetString());
            if (states.GetValueOrDefault("2") == "END" && states.GetValueOrDefault("3") == "END")
            {
                break;
            }
        }

        using var content = new StringContent("""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [[1, 2, 3]]}]}""", System.Text.Encoding.UTF8, "application/json");
        using var inferred = await http.PostAsync("/v2/models/mm/infer", content);
        var answer = JsonDocument.Parse(await inferred.Content.ReadAsStringAsync()).RootElement;
        await process.TerminateAsync();
        Assert.Equal(0, await process.WaitForExitAsync(Timeout));

        Assert.Equal("END", states.GetValueOrDefault("2"));
        Assert.Equal("END", states.GetValueOrDefault("3"));
        Assert.Equal("AVAILABLE", states.GetValueOrDefault("1"));
        Assert.Equal("1", answer.GetProperty("model_version").GetString());
        var y = answer.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "y");
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), y.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        var lines = process.Stderr.Split('\n');
        Assert.Contains(lines, l => l.Contains("warn:", StringComparison.Ordinal) && l.Contains("Refused model mm version 2; it is not served:", StringComparison.Ordinal)
            && l.Contains("holds a plaintext model", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("warn:", StringComparison.Ordinal) && l.Contains("Refused model mm version 3; it is not served:", StringComparison.Ordinal)
            && l.Contains("(ManifestUntrustedSigner)", StringComparison.Ordinal));
        Assert.DoesNotContain("Loaded model mm version 2", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Loaded model mm version 3", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ConfigFileWithPlaintextModelAndOwnerKey_ExitsNamingTheAllowOption()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        var (_, config) = await WriteSealedAndPlaintextConfigAsync(owner);

        using var process = MantleProcess.Start(
            "serve", "--plaintext", "--model_config_file", config, "--owner-key", owner.PublicKeyFile, "--key-file", owner.KeyFile, "--port", "0", "--rest_api_port", "0");
        var exitCode = await process.WaitForExitAsync(Timeout);

        Assert.Equal(1, exitCode);
        Assert.Contains("Model 'tiny' has no loadable version", process.Stderr, StringComparison.Ordinal);
        Assert.Contains("pass --allow-plaintext-model tiny", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AllowPlaintextForModelNotServed_UsageError()
    {
        using var owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        var basePath = Path.Combine(_root.Path, "m");
        await owner.SealAsync(basePath, 1, TestModels.MatMulAdd());

        var (exitCode, stderr) = await ServeAsync(basePath, "--owner-key", owner.PublicKeyFile, "--key-file", owner.KeyFile, "--allow-plaintext-model", "other");

        Assert.Equal(2, exitCode);
        Assert.Contains("allow-plaintext-model: 'other' is not a served model (models: mm)", stderr, StringComparison.Ordinal);
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

    /// <summary>A config file with a sealed model "sm" (version 1) and a plaintext model "tiny" (version 1).</summary>
    private async Task<(string SealedBase, string Config)> WriteSealedAndPlaintextConfigAsync(ModelOwner owner)
    {
        var sealedBase = Path.Combine(_root.Path, "sm");
        var plainBase = Path.Combine(_root.Path, "tiny");
        await owner.SealAsync(sealedBase, 1, TestModels.MatMulAdd());
        TestModels.WriteVersion(plainBase, 1, TestModels.Tiny());
        var config = Path.Combine(_root.Path, "models.config");
        await File.WriteAllTextAsync(config, $"model_config_list {{\n config {{ name: \"sm\" base_path: \"{sealedBase}\" }}\n config {{ name: \"tiny\" base_path: \"{plainBase}\" }}\n}}\n");
        return (sealedBase, config);
    }

    private static async Task<(int ExitCode, string Stderr)> ServeAsync(string basePath, params string[] keyArgs)
    {
        using var process = MantleProcess.Start(
            ["serve", "--plaintext", "--model_name", "mm", "--model_base_path", basePath, "--port", "0", "--rest_api_port", "0", .. keyArgs]);
        var exitCode = await process.WaitForExitAsync(Timeout);
        return (exitCode, process.Stderr);
    }
}
