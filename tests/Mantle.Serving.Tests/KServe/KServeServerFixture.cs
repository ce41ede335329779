using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.Extensions.Logging.Abstractions;
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
    ];

    private readonly TempDirectory _root = new();

    public ServingServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = NullLoggerFactory.Instance };
        var mm = Path.Combine(_root.Path, "mm");
        TestModels.WriteVersion(mm, 1, TestModels.MatMulAdd());
        TestModels.WriteVersion(mm, 2, TestModels.MatMulAdd());
        options.Models.Add(new ModelConfig { Name = "mm", BasePath = mm, VersionPolicy = ModelVersionPolicy.All() });
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
        _root.Dispose();
    }

    /// <summary>POSTs a JSON body and returns the status and the parsed answer.</summary>
    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(path, content);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
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
