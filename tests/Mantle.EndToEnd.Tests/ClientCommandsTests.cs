using System.Text.Json;
using Mantle.Serving.Tests.Models;

namespace Mantle.EndToEnd.Tests;

/// <summary><c>mantle infer</c> and <c>mantle bench</c> against a real <c>mantle serve</c> process on loopback.</summary>
public sealed class ClientCommandsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mantle-e2e-").FullName;
    private ChildProcess? _server;
    private int _grpcPort;
    private int _restPort;

    public async Task InitializeAsync()
    {
        var model = OnnxModelBuilder.Adder();
        Directory.CreateDirectory(Path.Combine(_root, "adder", "1"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "adder", "1", "model.onnx"), model);

        (_server, _grpcPort, _restPort) = await MantleProcess.StartServingAsync("adder", Path.Combine(_root, "adder"));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("tfs-grpc")]
    [InlineData("tfs-rest")]
    [InlineData("kserve-grpc")]
    [InlineData("kserve-rest")]
    [InlineData("kserve-rest-json")]
    public async Task Infer_JsonInputOverEachProtocol_PrintsModelOutputs(string protocol)
    {
        var input = Path.Combine(_root, $"input-{protocol}.json");
        await File.WriteAllTextAsync(input, """{"inputs": {"x": [[10, 20, 30, 40], [0.5, 0, 0, NaN]]}}""");

        var (exit, stdout, stderr) = await MantleProcess.RunAsync("infer", "--url", Url(protocol), "--model", "adder", "--protocol", protocol, "--input", input, "--json");

        Assert.True(exit == 0, stderr);
        using var document = JsonDocument.Parse(stdout.Replace("NaN", "\"NaN\"", StringComparison.Ordinal));
        var output = document.RootElement.GetProperty("outputs")[0];
        Assert.Equal("y", output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([2L, 4L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var data = output.GetProperty("data").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? double.NaN : v.GetDouble()).ToArray();
        Assert.Equal([11, 22, 33, 44, 1.5, 2, 3], data[..7]);
        Assert.True(double.IsNaN(data[7]));
    }

    [Fact]
    public async Task Infer_NpyInputAndSave_WritesOutputNpy()
    {
        var npy = Path.Combine(_root, "x.npy");
        await File.WriteAllBytesAsync(npy, Mantle.Client.Tensors.NpyFile.Write(new Mantle.Client.Tensors.ClientTensor("x", Mantle.Client.Tensors.TensorDataType.Float32, [1, 4], new byte[16])));
        var saveDir = Path.Combine(_root, "out");

        var (exit, _, stderr) = await MantleProcess.RunAsync("infer", "--url", Url("kserve-grpc"), "--model", "adder", "--protocol", "kserve-grpc", "--input", npy, "--save", saveDir);

        Assert.True(exit == 0, stderr);
        Assert.Contains("1, 2, 3, 4", stderr, StringComparison.Ordinal);
        var saved = Mantle.Client.Tensors.NpyFile.Read("y", await File.ReadAllBytesAsync(Path.Combine(saveDir, "y.npy")));
        Assert.Equal([1L, 4L], saved.Shape);
    }

    [Fact]
    public async Task Infer_UnknownModel_ExitsWithServerMessage()
    {
        var (exit, _, stderr) = await MantleProcess.RunAsync("infer", "--url", Url("tfs-rest"), "--model", "nosuchmodel", "--protocol", "tfs-rest");

        Assert.Equal(4, exit);
        Assert.Contains("404", stderr, StringComparison.Ordinal);
        Assert.Contains("nosuchmodel", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_UnknownProtocol_IsAUsageError()
    {
        var (exit, _, stderr) = await MantleProcess.RunAsync("infer", "--url", Url("tfs-rest"), "--model", "adder", "--protocol", "soap");

        Assert.Equal(2, exit);
        Assert.Contains("tfs-grpc, tfs-rest, kserve-grpc, kserve-rest", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tfs-grpc")]
    [InlineData("kserve-grpc")]
    [InlineData("kserve-rest")]
    [InlineData("kserve-rest-json")]
    public async Task Bench_Json_PrintsOneSummaryObject(string protocol)
    {
        var (exit, stdout, stderr) = await MantleProcess.RunAsync("bench", "--url", Url(protocol), "--model", "adder", "--protocol", protocol, "--batch", "3", "--concurrency", "2", "--loop", "15", "--warmup", "1", "--json");

        Assert.True(exit == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        Assert.Equal(30, root.GetProperty("requests").GetInt64());
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("first_error").ValueKind);
        Assert.True(root.GetProperty("throughput").GetDouble() > 0);
        var latency = root.GetProperty("latency_ms");
        Assert.True(latency.GetProperty("p50").GetDouble() > 0);
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p90").GetDouble());
        Assert.True(latency.GetProperty("p90").GetDouble() <= latency.GetProperty("p99").GetDouble());
        Assert.True(root.GetProperty("client_cpu_ms_per_request").GetDouble() >= 0);
        var from = root.GetProperty("measured_from_unix_ms").GetDouble();
        var to = root.GetProperty("measured_to_unix_ms").GetDouble();
        Assert.True(from > DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds() && from < to, $"{from} {to}");
    }

    [Fact]
    public async Task Bench_InProcess_MeasuresTheBaseline()
    {
        var (exit, stdout, stderr) = await MantleProcess.RunAsync("bench", "--in-process", "--model_base_path", Path.Combine(_root, "adder"), "--loop", "20", "--json");

        Assert.True(exit == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(20, document.RootElement.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task Bench_UnknownModel_ExitsWithRemoteErrorAndOnlyTheErrorAsJson()
    {
        var (exit, stdout, stderr) = await MantleProcess.RunAsync("bench", "--url", Url("tfs-grpc"), "--model", "missing", "--protocol", "tfs-grpc", "--loop", "3", "--json");

        Assert.Equal(4, exit);
        var error = JsonDocument.Parse(stdout).RootElement.GetProperty("error");
        Assert.Equal("remote_error", error.GetProperty("code").GetString());
        Assert.Contains("missing", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.Contains("missing", stderr, StringComparison.Ordinal);
    }

    private string Url(string protocol) => $"127.0.0.1:{(protocol.Contains("rest", StringComparison.Ordinal) ? _restPort : _grpcPort)}";
}
