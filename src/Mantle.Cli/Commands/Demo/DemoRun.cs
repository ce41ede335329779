using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mantle.Attestation.Policy;
using Mantle.Attestation.Sim;
using Mantle.Cli.Commands.Attestation;
using Mantle.Client.Images;
using Mantle.Client.Inference;
using Mantle.Client.Load;
using Mantle.Client.Tensors;
using Mantle.Client.Trust;
using Mantle.KeyBroker;
using Mantle.KeyBroker.Client;
using Mantle.Sealing;
using Mantle.Client.Certificates;
using Mantle.Sealing.Keys;
using SkiaSharp;

namespace Mantle.Cli.Commands.Demo;

/// <summary>
/// The steps of <c>mantle demo</c>: the model owner seals ResNet-18 and makes client TLS material; the key broker starts
/// (SQLite, HTTPS) with the model key under a policy pinned to this build's simulated measurement; the server starts in
/// the simulated TEE, attests, receives the key and a broker-CA certificate, and requires client certificates; the
/// requester verifies it, classifies an image and runs a short load over gRPC and REST.
/// </summary>
internal sealed class DemoRun(DemoOptions options, Action<string> progress) : IAsyncDisposable
{
    private const string ModelName = "resnet18";
    private readonly List<ChildProcess> _children = [];
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public DemoResult Result { get; } = new() { WorkFolder = options.WorkFolder };

    private string Owner => Path.Combine(options.WorkFolder, "owner");

    private string Cloud => Path.Combine(options.WorkFolder, "cloud", ModelName);

    private string BrokerFolder => Path.Combine(options.WorkFolder, "broker");

    private string ClientFolder => Path.Combine(options.WorkFolder, "client");

    private string SimKey => Path.Combine(options.WorkFolder, "config", "mantle", "sim-platform-key.pem");

    public string BrokerCa => Path.Combine(BrokerFolder, "ca.crt");

    public string ClientCertificate => Path.Combine(ClientFolder, "client.crt");

    public string ClientKey => Path.Combine(ClientFolder, "client.key");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(options.WorkFolder);
        // Every mantle started here keeps its simulated platform key in the demo's folder.
        _environment["XDG_CONFIG_HOME"] = Path.Combine(options.WorkFolder, "config");
        using var platform = SimulatedTee.LoadOrCreate(SimKey);

        string policy;
        byte[] modelKey;
        using (var key = ModelKey.Generate())
        {
            await StepAsync("Owner: create keys, seal ResNet-18, make client TLS material", () => OwnerAsync(key, cancellationToken));
            modelKey = key.ExportBytes();
        }

        try
        {
            Result.Measurement = SimEvidenceProvider.MeasureProgram(SimEvidenceProvider.DefaultProgramFolder).Measurement;
            policy = MeasureCommand.PinnedPolicy(Result.Measurement);
            await StepAsync("Broker: start (SQLite, HTTPS), register the model key under a policy pinned to this build", () => BrokerAsync(modelKey, policy, cancellationToken));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(modelKey);
        }

        await StepAsync("Server: attest in the sim TEE, receive the key and a broker-CA certificate, unseal, serve (mTLS)", () => ServerAsync(cancellationToken));
        var trust = new ServerTrust { Policy = AttestationPolicy.Parse(policy), ClientCertificate = ServerTrust.LoadClientCertificate(ClientCertificate, ClientKey) };
        trust.AddCertificateAuthorities(BrokerCa);
        await StepAsync("Requester: verify the server before sending anything", () => VerifyAsync(trust, cancellationToken));
        await StepAsync("Requester: classify an image", () => ClassifyAsync(trust, cancellationToken));
        await StepAsync("Requester: benchmark over gRPC and REST", () => BenchAsync(trust, cancellationToken));
        Result.Total = total.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var child in Enumerable.Reverse(_children))
        {
            await child.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StepAsync(string name, Func<Task> step)
    {
        progress(name);
        var stopwatch = Stopwatch.StartNew();
        await step().ConfigureAwait(false);
        Result.Steps.Add((name, stopwatch.Elapsed));
    }

    private async Task OwnerAsync(ModelKey key, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.ModelPath))
        {
            throw new DemoException(
                $"The demo model {options.ModelPath} does not exist: builds of mantle carry ResNet-18 there; with a published mantle, pass --model FILE.onnx.");
        }

        Directory.CreateDirectory(Owner);
        key.Save(Path.Combine(Owner, "model.key"));
        using var signer = OwnerSigningKey.Generate();
        signer.Save(Path.Combine(Owner, "owner.pem"));
        var stopwatch = Stopwatch.StartNew();
        await ModelSealer.SealAsync(options.ModelPath, Path.Combine(Cloud, "1"), key, signer, new ModelSealOptions { Name = ModelName }, cancellationToken).ConfigureAwait(false);
        Result.ModelBytes = new FileInfo(options.ModelPath).Length;
        Result.SealMegabytesPerSecond = Result.ModelBytes / 1e6 / stopwatch.Elapsed.TotalSeconds;
        Result.KeyId = key.Id;
        TlsMaterial.Create(new TlsMaterialOptions { ServerName = "localhost", ClientName = "demo-requester" }).Save(ClientFolder);
    }

    private async Task BrokerAsync(byte[] modelKey, string policy, CancellationToken cancellationToken)
    {
        BrokerInitializer.Initialize(BrokerFolder, new BrokerInitOptions { AllowSim = true, BrokerUrl = "https://localhost:8443" });
        var broker = Start("key broker", "broker", "serve", "--config", BrokerFolder, "--urls", "https://127.0.0.1:0", "--sim-key", SimKey);
        const string Listening = "Key broker listening on ";
        var line = await broker.WaitForLineAsync(l => l.StartsWith(Listening, StringComparison.Ordinal), TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        var port = new Uri(line[Listening.Length..].Split(',')[0].Trim()).Port;
        Result.BrokerUrl = $"https://localhost:{port}";
        using var admin = new BrokerAdminClient(
            AdminCredential.Load(Path.Combine(BrokerFolder, "admin.credential")), new BrokerAdminClientOptions { BrokerUrl = Result.BrokerUrl });
        await admin.PutResourceAsync(KbsProtocol.ModelKeyPath(Result.KeyId!), modelKey, policy, cancellationToken).ConfigureAwait(false);
    }

    private async Task ServerAsync(CancellationToken cancellationToken)
    {
        var server = Start("server", "serve",
            "--broker", Result.BrokerUrl!, "--broker-ca", BrokerCa, "--tee", "sim", "--sim-key", SimKey,
            "--owner-key", Path.Combine(Owner, "owner.pem.pub"), "--model_name", ModelName, "--model_base_path", Cloud,
            "--client-ca", Path.Combine(ClientFolder, "ca.crt"), "--port", "0", "--rest_api_port", "0",
            "--file_system_poll_wait_seconds", "0", "--json");
        var line = await server.WaitForLineAsync(l => l.StartsWith("{\"grpc_port\"", StringComparison.Ordinal), TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Result.GrpcPort = root.GetProperty("grpc_port").GetInt32();
        Result.RestPort = root.GetProperty("rest_port").GetInt32();
        var start = root.GetProperty("start_ms");
        Result.ServerStart = new ServerStart(
            start.GetProperty("attestation").GetDouble(), start.GetProperty("key_release").GetDouble(), start.GetProperty("unseal").GetDouble(),
            start.GetProperty("unsealed_bytes").GetInt64(), start.GetProperty("ready").GetDouble());
    }

    private async Task VerifyAsync(ServerTrust trust, CancellationToken cancellationToken) =>
        Result.Verified = await new ServerVerifier(trust).VerifyAsync("localhost", Result.GrpcPort, cancellationToken).ConfigureAwait(false);

    private async Task ClassifyAsync(ServerTrust trust, CancellationToken cancellationToken)
    {
        var image = Path.Combine(options.WorkFolder, "sample.png");
        WriteSampleImage(image);
        Result.ClassifiedImage = image;
        var address = new Uri($"https://localhost:{Result.GrpcPort}");
        using var client = InferenceClients.Create(InferenceProtocol.KServeGrpc, address, trust.CreateHandler());
        var description = await client.GetModelAsync(ModelName, cancellationToken).ConfigureAwait(false);
        var input = ImageTensors.FromFile(description.Inputs[0].Name, image, ImagePreprocessing.ForInput(description.Inputs[0]));
        var outputs = await client.InferAsync(ModelName, [input], cancellationToken).ConfigureAwait(false);
        var scores = MemoryMarshal.Cast<byte, float>(outputs.First(o => o.DataType == TensorDataType.Float32).Data);
        Result.Classes = Classification.TopK(scores, 5, null, out _);
    }

    private async Task BenchAsync(ServerTrust trust, CancellationToken cancellationToken)
    {
        Result.Grpc = await LoadAsync(InferenceProtocol.TfsGrpc, Result.GrpcPort, trust, cancellationToken).ConfigureAwait(false);
        Result.Rest = await LoadAsync(InferenceProtocol.KServeRest, Result.RestPort, trust, cancellationToken).ConfigureAwait(false);
    }

    private async Task<LoadResult> LoadAsync(InferenceProtocol protocol, int port, ServerTrust trust, CancellationToken cancellationToken)
    {
        using var client = InferenceClients.Create(protocol, new Uri($"https://localhost:{port}"), trust.CreateHandler());
        var description = await client.GetModelAsync(ModelName, cancellationToken).ConfigureAwait(false);
        var random = new Random(7);
        var inputs = description.Inputs.Select(i => RandomTensors.Create(i.Name, i.DataType, i.Shape, 1, random)).ToList();
        var send = client.Prepare(ModelName, inputs);
        var load = new LoadOptions { Concurrency = 2, Loop = options.BenchRequests, Warmup = 3, MaxDuration = options.BenchDuration };
        var result = await LoadRunner.RunAsync((_, ct) => send(ct), load, null, cancellationToken).ConfigureAwait(false);
        return result.Errors == 0
            ? result
            : throw new DemoException($"The {protocol} benchmark had {result.Errors} failed requests: {result.FirstError}");
    }

    private ChildProcess Start(string name, params string[] args)
    {
        var child = ChildProcess.StartMantle(name, _environment, args);
        _children.Add(child);
        return child;
    }

    /// <summary>A 256×256 picture with a few shapes and a gradient, so that the demo needs no image file.</summary>
    private static void WriteSampleImage(string path)
    {
        using var bitmap = new SKBitmap(256, 256);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var sky = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, 256), [new SKColor(120, 170, 230), new SKColor(240, 240, 250)], SKShaderTileMode.Clamp) };
            canvas.DrawRect(0, 0, 256, 256, sky);
            using var ground = new SKPaint { Color = new SKColor(70, 140, 60) };
            canvas.DrawRect(0, 180, 256, 76, ground);
            using var sun = new SKPaint { Color = new SKColor(250, 210, 60), IsAntialias = true };
            canvas.DrawCircle(190, 60, 30, sun);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
