using System.Net;
using System.Text.Json;
using Mantle.Serving.Tests.Models;

namespace Mantle.Serving.Tests.Hosting;

public sealed class ServeCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private string ModelBasePath()
    {
        var basePath = Path.Combine(_root.Path, "mm");
        TestModels.WriteVersion(basePath, 1, TestModels.MatMulAdd());
        return basePath;
    }

    [Fact]
    public async Task Serve_WithoutPlaintext_RefusesWithUsageError()
    {
        using var process = MantleProcess.Start("serve", "--model_base_path", ModelBasePath(), "--port", "0", "--rest_api_port", "0");

        var exitCode = await process.WaitForExitAsync(Timeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("Choose how clients reach the server: --broker URL", process.Stderr, StringComparison.Ordinal);
        Assert.Contains("--plaintext (no TLS", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithPlaintext_ServesUntilTerminated()
    {
        using var process = MantleProcess.Start("serve", "--plaintext", "--json", "--model_name", "mm", "--model_base_path", ModelBasePath(), "--port", "0", "--rest_api_port", "0");

        using var ready = JsonDocument.Parse(await process.FirstStdoutLineAsync(Timeout));
        var restPort = ready.RootElement.GetProperty("rest_port").GetInt32();
        var grpcPort = ready.RootElement.GetProperty("grpc_port").GetInt32();
        Assert.NotEqual(0, grpcPort);
        Assert.Equal("mm", ready.RootElement.GetProperty("models")[0].GetProperty("name").GetString());
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}") };
        using var response = await client.GetAsync("/monitoring/prometheus/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await process.TerminateAsync();

        Assert.Equal(0, await process.WaitForExitAsync(Timeout));
        Assert.Contains("Loaded model mm version 1", process.Stderr, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{restPort}/", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_CorruptModel_FailsNamingTheFolder()
    {
        var basePath = Path.Combine(_root.Path, "bad");
        var folder = TestModels.WriteVersion(basePath, 3, [1, 2, 3, 4]);
        using var process = MantleProcess.Start("serve", "--plaintext", "--model_name", "bad", "--model_base_path", basePath, "--port", "0", "--rest_api_port", "0");

        var exitCode = await process.WaitForExitAsync(Timeout);

        Assert.Equal(1, exitCode);
        Assert.Contains("Model 'bad' has no loadable version", process.Stderr, StringComparison.Ordinal);
        Assert.Contains(folder, process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadConfigFile_FailsWithLineAndColumn()
    {
        var config = Path.Combine(_root.Path, "models.config");
        await File.WriteAllTextAsync(config, "model_config_list {\n  config { name: \"m\" base_pth: \"/x\" }\n}\n");
        using var process = MantleProcess.Start("serve", "--plaintext", "--model_config_file", config, "--port", "0", "--rest_api_port", "0");

        var exitCode = await process.WaitForExitAsync(Timeout);

        Assert.Equal(2, exitCode);
        Assert.Contains($"{config}:2:22: unknown field 'base_pth'", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NegativePollWait_ExitsWithUsageErrorNamingTheOption()
    {
        using var process = MantleProcess.Start("serve", "--plaintext", "--model_base_path", ModelBasePath(), "--file_system_poll_wait_seconds", "-1", "--port", "0", "--rest_api_port", "0");

        var exitCode = await process.WaitForExitAsync(Timeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("file_system_poll_wait_seconds must be between 0", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ConfigFileWithBatching_LoadsEveryModel()
    {
        var config = Path.Combine(_root.Path, "models.config");
        var batching = Path.Combine(_root.Path, "batching.config");
        var second = Path.Combine(_root.Path, "tiny");
        TestModels.WriteVersion(second, 1, TestModels.Tiny());
        await File.WriteAllTextAsync(config, $"model_config_list {{\n config {{ name: \"mm\" base_path: \"{ModelBasePath()}\" }}\n config {{ name: \"tiny\" base_path: \"{second}\" }}\n}}\n");
        await File.WriteAllTextAsync(batching, "max_batch_size { value: 8 }\nbatch_timeout_micros { value: 500 }\n");
        using var process = MantleProcess.Start("serve", "--plaintext", "--json", "--model_config_file", config, "--enable_batching", "--batching_parameters_file", batching, "--port", "0", "--rest_api_port", "0");

        using var ready = JsonDocument.Parse(await process.FirstStdoutLineAsync(Timeout));

        Assert.Equal(["mm", "tiny"], ready.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()).Order());
        await process.TerminateAsync();
        Assert.Equal(0, await process.WaitForExitAsync(Timeout));
    }
}
