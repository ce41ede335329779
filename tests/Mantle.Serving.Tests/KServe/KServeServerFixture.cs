using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.KServe;

/// <summary>
/// One real server (127.0.0.1, port 0) shared by the KServe tests: "mm" (MatMulAdd, versions 1 and 2),
/// "add", and identity models per datatype ("id_fp32", "id_bytes", …, shape [-1, 2]).
/// </summary>
public sealed class KServeServerFixture : IAsyncLifetime
{
    public static readonly (string Name, TensorElementType Type)[] Identities =
    [
        ("id_fp32", TensorElementType.Float),
        ("id_fp64", TensorElementType.Double),
        ("id_fp16", TensorElementType.Float16),
        ("id_bool", TensorElementType.Bool),
        ("id_int8", TensorElementType.Int8),
        ("id_uint8", TensorElementType.UInt8),
        ("id_int16", TensorElementType.Int16),
        ("id_uint16", TensorElementType.UInt16),
        ("id_int32", TensorElementType.Int32),
        ("id_uint32", TensorElementType.UInt32),
        ("id_int64", TensorElementType.Int64),
        ("id_uint64", TensorElementType.UInt64),
        ("id_bytes", TensorElementType.String),
        ("id_bf16", TensorElementType.BFloat16),
    ];

    private readonly TempDirectory _root = new();
    private ILoggerFactory _loggerFactory = null!;

    /// <summary>Everything the server logged (all levels).</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    public ServingServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = _loggerFactory };
        var mm = Path.Combine(_root.Path, "mm");
        TestModels.WriteVersion(mm, 1, TestModels.MatMulAdd());
        TestModels.WriteVersion(mm, 2, TestModels.MatMulAdd());
        options.Models.Add(new ModelConfig
        {
            Name = "mm",
            BasePath = mm,
            VersionPolicy = ModelVersionPolicy.All(),
            Labels = new Dictionary<string, long> { ["stable"] = 1 },
        });
        Add(options, "add", TestModels.Add());
        foreach (var (name, type) in Identities)
        {
            Add(options, name, TestModels.Identity(type));
        }

        Server = await ServingServer.StartAsync(options);
        Http = new HttpClient { BaseAddress = Server.RestAddress };
        Channel = GrpcChannel.ForAddress(Server.GrpcAddress);
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await Server.DisposeAsync();
        _loggerFactory.Dispose();
        _root.Dispose();

        // Refusals are logged at Debug; an Error means the server failed where it should not have.
        var errors = Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, "unexpected errors were logged:\n" + string.Join("\n", errors));
    }

    /// <summary>POSTs a JSON body and returns the status and the parsed answer.</summary>
    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(path, content);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
    }

    /// <summary>
    /// POSTs raw bytes (with <c>Inference-Header-Content-Length</c> when <paramref name="headerLength"/> is given) and
    /// returns the status and the body text, for bodies that a well-behaved client never sends.
    /// </summary>
    public async Task<(int Status, string Body)> PostBytesAsync(string path, byte[] body, long? headerLength = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(headerLength is null ? "application/json" : "application/octet-stream");
        if (headerLength is { } length)
        {
            content.Headers.Add("Inference-Header-Content-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await Http.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(int Status, JsonElement Body)> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return document.RootElement.Clone();
    }

    private void Add(ServingServerOptions options, string name, byte[] model)
    {
        var basePath = Path.Combine(_root.Path, name);
        TestModels.WriteVersion(basePath, 1, model);
        options.Models.Add(new ModelConfig { Name = name, BasePath = basePath });
    }
}
