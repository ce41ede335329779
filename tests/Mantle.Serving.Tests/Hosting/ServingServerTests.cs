using System.Net;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Metrics;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;

namespace Mantle.Serving.Tests.Hosting;

public sealed class ServingServerTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly CapturingLoggerFactory _logs = new();

    public void Dispose()
    {
        _root.Dispose();
        _logs.Dispose();
    }

    private ServingServerOptions Options()
    {
        var basePath = Path.Combine(_root.Path, "mm");
        TestModels.WriteVersion(basePath, 1, TestModels.MatMulAdd());
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = _logs };
        options.Models.Add(new ModelConfig { Name = "mm", BasePath = basePath });
        return options;
    }

    [Fact]
    public async Task StartAsync_PortZero_BindsTwoDistinctFreePorts()
    {
        await using var server = await ServingServer.StartAsync(Options());

        Assert.NotEqual(0, server.GrpcPort);
        Assert.NotEqual(0, server.RestPort);
        Assert.NotEqual(server.GrpcPort, server.RestPort);
        Assert.Equal(new Uri($"http://127.0.0.1:{server.RestPort}"), server.RestAddress);
        Assert.True(server.Repository.IsReady);
        Assert.True(server.Repository.Find("mm").Found);
        Assert.Empty(_logs.Errors);
        Assert.Contains(_logs.Entries, e => e.Message.Contains($"http://127.0.0.1:{server.GrpcPort}/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/monitoring/prometheus/metrics")]
    public async Task Metrics_OnRestPort_ExportsRequestsLatencyAndBatchSizes(string path)
    {
        await using var server = await ServingServer.StartAsync(Options());
        server.Metrics.RecordRequest(ServingApiNames.KServeRest, "mm", 1, null, TimeSpan.FromMilliseconds(3));
        server.Metrics.RecordRequest(ServingApiNames.TfServingGrpc, "mm", null, ServingErrorCode.InvalidArgument, TimeSpan.FromMilliseconds(1));
        server.Metrics.RecordBatch("mm", 4);
        using var client = new HttpClient { BaseAddress = server.RestAddress };

        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains("mantle_serving_requests_total{model=\"mm\",version=\"1\",api=\"kserve-rest\",outcome=\"ok\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mantle_serving_requests_total{model=\"mm\",version=\"\",api=\"tfs-grpc\",outcome=\"invalid_argument\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mantle_serving_request_duration_seconds_bucket{model=\"mm\",version=\"1\",api=\"kserve-rest\",outcome=\"ok\"", text, StringComparison.Ordinal);
        Assert.Contains("mantle_serving_batch_size_sum{model=\"mm\"} 4", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AfterAnInference_ExportComputeTimeAndProcessAndRuntimeSeries()
    {
        await using var server = await ServingServer.StartAsync(Options());
        using var client = new HttpClient { BaseAddress = server.RestAddress };
        using (var infer = await client.PostAsync("/v1/models/mm:predict", new StringContent("""{"instances": [[1, 2, 3]]}""")))
        {
            Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        }

        var text = await client.GetStringAsync("/metrics");

        Assert.Contains("mantle_serving_compute_duration_seconds_count{model=\"mm\",version=\"1\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE mantle_serving_queue_duration_seconds histogram", text, StringComparison.Ordinal);
        foreach (var series in new[]
        {
            "process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_virtual_memory_bytes ", "process_start_time_seconds ",
            "process_threads ", "process_open_fds ", "dotnet_gc_collections_total{generation=\"0\"} ", "dotnet_gc_collections_total{generation=\"2\"} ",
            "dotnet_gc_heap_size_bytes ", "dotnet_gc_allocated_bytes_total ", "dotnet_gc_pause_seconds_total ", "dotnet_thread_pool_threads ",
            "dotnet_thread_pool_queue_length ", "dotnet_thread_pool_completed_items_total ", "dotnet_monitor_lock_contentions_total ",
        })
        {
            Assert.Contains("\n" + series, text, StringComparison.Ordinal);
        }

        Assert.True(Value(text, "process_cpu_seconds_total") > 0);
        Assert.True(Value(text, "process_resident_memory_bytes") > 1_000_000);
    }

    private static double Value(string metrics, string name)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Metrics_OnGrpcPort_IsNotServed()
    {
        await using var server = await ServingServer.StartAsync(Options());
        using var client = new HttpClient
        {
            BaseAddress = server.GrpcAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GrpcPort_Http11Request_IsRefused()
    {
        await using var server = await ServingServer.StartAsync(Options());
        using var client = new HttpClient { BaseAddress = server.GrpcAddress };

        HttpResponseMessage? response = null;
        try
        {
            response = await client.GetAsync("/metrics");
        }
        catch (HttpRequestException)
        {
        }

        // Kestrel answers an HTTP/1.1 request on an HTTP/2-only endpoint with an error, or drops it.
        Assert.False(response?.IsSuccessStatusCode ?? false);
        response?.Dispose();
    }

    [Fact]
    public async Task StartAsync_NoLoadableVersion_ThrowsNamingTheFile()
    {
        var options = Options();
        var broken = Path.Combine(_root.Path, "broken");
        TestModels.WriteVersion(broken, 5, [1, 2, 3]);
        options.Models.Add(new ModelConfig { Name = "broken", BasePath = broken });

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => ServingServer.StartAsync(options));

        Assert.Contains("'broken'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(broken, "5"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ThrowsNamingEachKey()
    {
        var options = Options();
        options.GrpcPort = 70000;
        options.Host = "example.invalid";

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => ServingServer.StartAsync(options));

        Assert.Contains("port must be between 0 and 65535", ex.Message, StringComparison.Ordinal);
        Assert.Contains("host must be an IP address", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-0.5)]
    [InlineData(4_294_968)]
    public async Task StartAsync_PollIntervalOutOfRange_ThrowsNamingTheOption(double seconds)
    {
        var options = Options();
        options.PollInterval = TimeSpan.FromSeconds(seconds);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => ServingServer.StartAsync(options));

        Assert.Contains("file_system_poll_wait_seconds must be between 0 (no polling) and 4294967 seconds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Polling_NewVersionCopiedIn_IsServedWithoutRestart()
    {
        var options = Options();
        options.PollInterval = TimeSpan.FromMilliseconds(100);
        await using var server = await ServingServer.StartAsync(options);
        Assert.Equal(1, server.Repository.Find("mm").Model?.Version);

        TestModels.WriteVersion(Path.Combine(_root.Path, "mm"), 2, TestModels.MatMulAdd());
        var deadline = DateTime.UtcNow.AddSeconds(20);
        // Version 2 becomes available before version 1 is unloaded: wait for both.
        while ((server.Repository.Find("mm").Model?.Version != 2 || server.Repository.GetStatus("mm", 1).Single().State != ModelVersionState.End)
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2, server.Repository.Find("mm").Model?.Version);

        // Version 1 goes through UNLOADING after version 2 is available; wait for it to finish.
        while (server.Repository.GetStatus("mm", 1).Single().State == ModelVersionState.Unloading && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(ModelVersionState.End, server.Repository.GetStatus("mm", 1).Single().State);
    }

    [Fact]
    public async Task StartAsync_CorruptModel_NeitherErrorNorLogContainsTheModelBytes()
    {
        var options = Options();
        var broken = Path.Combine(_root.Path, "broken");
        const string secret = "SECRET-WEIGHTS-0123456789-SECRET-WEIGHTS";
        TestModels.WriteVersion(broken, 1, [0x0A, (byte)secret.Length, .. System.Text.Encoding.ASCII.GetBytes(secret)]);
        options.Models.Add(new ModelConfig { Name = "broken", BasePath = broken });

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => ServingServer.StartAsync(options));

        Assert.DoesNotContain("SECRET-WEIGHTS", ex.Message, StringComparison.Ordinal);
        Assert.NotEmpty(_logs.Errors);
        Assert.All(_logs.Entries, e => Assert.DoesNotContain("SECRET-WEIGHTS", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_RestPortInUse_ThrowsAndReleasesTheGrpcPort()
    {
        await using var first = await ServingServer.StartAsync(Options());
        var options = Options();
        options.RestPort = first.RestPort;
        var grpcProbe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        grpcProbe.Start();
        options.GrpcPort = ((IPEndPoint)grpcProbe.LocalEndpoint).Port;
        grpcProbe.Stop();

        await Assert.ThrowsAsync<IOException>(() => ServingServer.StartAsync(options));

        // The gRPC listener opened before the failure is closed again.
        using var again = new System.Net.Sockets.TcpListener(IPAddress.Loopback, options.GrpcPort);
        again.Start();
        again.Stop();
        Assert.True(first.Repository.IsReady);
    }
}
