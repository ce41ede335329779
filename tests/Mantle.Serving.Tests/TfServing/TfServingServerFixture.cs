using Grpc.Net.Client;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.TfServing;

/// <summary>
/// One real server (Kestrel on 127.0.0.1, port 0) shared by the TF Serving API tests, with:
/// "mm" (x float [N,3] → y [N,2], z [N,3]; versions 1 and 2, labels stable → 1 and canary → 2),
/// "add" (a, b float [N,4] → sum), "scalar" (float scalar identity), "bytes" (string x_bytes → y_bytes),
/// and "id_{type}" identity models (x → y, [N,2]) for every element type the engine serves.
/// </summary>
public sealed class TfServingServerFixture : IAsyncLifetime
{
    /// <summary>The element types with identity models, and their TF Serving dtype names.</summary>
    public static readonly IReadOnlyDictionary<TensorElementType, string> IdentityTypes = new Dictionary<TensorElementType, string>
    {
        [TensorElementType.Float] = "DT_FLOAT",
        [TensorElementType.Double] = "DT_DOUBLE",
        [TensorElementType.Float16] = "DT_HALF",
        [TensorElementType.BFloat16] = "DT_BFLOAT16",
        [TensorElementType.Int8] = "DT_INT8",
        [TensorElementType.UInt8] = "DT_UINT8",
        [TensorElementType.Int16] = "DT_INT16",
        [TensorElementType.UInt16] = "DT_UINT16",
        [TensorElementType.Int32] = "DT_INT32",
        [TensorElementType.UInt32] = "DT_UINT32",
        [TensorElementType.Int64] = "DT_INT64",
        [TensorElementType.UInt64] = "DT_UINT64",
        [TensorElementType.Bool] = "DT_BOOL",
        [TensorElementType.String] = "DT_STRING",
    };

    private readonly TempFolder _root = new();

    public ServingServer Server { get; private set; } = null!;

    /// <summary>Everything the server logged.</summary>
    public LogCapture Logs { get; } = new();

    public HttpClient Rest { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The REST body limit of the server, small enough to test 413.</summary>
    public const long RestBodyLimit = 64 * 1024;

    public static string IdentityName(TensorElementType type) => "id_" + type.ToString().ToLowerInvariant();

    public async Task InitializeAsync()
    {
        var options = new ServingServerOptions
        {
            GrpcPort = 0,
            RestPort = 0,
            PollInterval = TimeSpan.Zero,
            LoggerFactory = Logs,
            MaxRestRequestBodyBytes = RestBodyLimit,
        };

        var mm = Path.Combine(_root.Path, "mm");
        TestModels.WriteVersion(mm, 1, TestModels.MatMulAdd());
        TestModels.WriteVersion(mm, 2, TestModels.MatMulAdd());
        options.Models.Add(new ModelConfig
        {
            Name = "mm",
            BasePath = mm,
            VersionPolicy = ModelVersionPolicy.All(),
            Labels = new Dictionary<string, long> { ["stable"] = 1, ["canary"] = 2 },
        });
        Add(options, "add", TestModels.Add());
        Add(options, "scalar", new OnnxModelBuilder()
            .Input("x", TensorElementType.Float)
            .Output("y", TensorElementType.Float)
            .Node("Identity", ["x"], ["y"])
            .Build());
        Add(options, "bytes", new OnnxModelBuilder()
            .Input("x_bytes", TensorElementType.String, -1)
            .Output("y_bytes", TensorElementType.String, -1)
            .Node("Identity", ["x_bytes"], ["y_bytes"])
            .Build());
        foreach (var type in IdentityTypes.Keys)
        {
            Add(options, IdentityName(type), TestModels.Identity(type));
        }

        Server = await ServingServer.StartAsync(options);
        Rest = new HttpClient { BaseAddress = Server.RestAddress };
        Channel = GrpcChannel.ForAddress(Server.GrpcAddress);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        Rest.Dispose();
        await Server.DisposeAsync();
        _root.Dispose();
    }

    private void Add(ServingServerOptions options, string name, byte[] model)
    {
        var basePath = Path.Combine(_root.Path, name);
        TestModels.WriteVersion(basePath, 1, model);
        options.Models.Add(new ModelConfig { Name = name, BasePath = basePath });
    }
}

/// <summary>The test collection sharing one <see cref="TfServingServerFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TfServingCollection : ICollectionFixture<TfServingServerFixture>
{
    public const string Name = "TF Serving server";
}
