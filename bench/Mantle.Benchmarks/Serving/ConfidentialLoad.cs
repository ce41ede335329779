using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mantle.Attestation.Policy;
using Mantle.Attestation.Sim;
using Mantle.Cli.Commands.Attestation;
using Mantle.Cli.Commands.Client;
using Mantle.Cli.Commands.Demo;
using Mantle.Client.Inference;
using Mantle.Client.Load;
using Mantle.Client.Trust;
using Mantle.KeyBroker;
using Mantle.KeyBroker.Client;
using Mantle.Sealing;
using Mantle.Client.Certificates;
using Mantle.Sealing.Keys;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// Confidential serving against plaintext serving and in-process ONNX Runtime, in one run, as users run it: a key broker
/// and two <c>mantle serve</c> processes (plaintext with the plaintext ResNet-18; confidential with the sealed ResNet-18,
/// attestation in the simulated TEE, the key from the broker, broker-ca TLS and mutual TLS), the load from this process.
/// Reports, as medians over rounds: gRPC throughput of each at the given concurrency and the confidential/plaintext ratio
/// (target ≥ 0.95); each server's CPU per request from /proc over the measured window; the time to ready of each
/// (process start to the listening line; target: confidential ≤ (plaintext + its attestation round trip) × 1.1); and the
/// wall time of <c>mantle demo</c> (target &lt; 30 s).
/// Usage: <c>confidential-load [--concurrency 4] [--loop 40] [--rounds 5] [--starts 3] [--warmup-seconds 3] [--no-demo] [--json FILE]</c>.
/// </summary>
internal static class ConfidentialLoad
{
    private const string Model = "resnet18";

    public static async Task<int> RunAsync(string[] args)
    {
        var concurrency = Arg(args, "--concurrency", 4);
        var loop = Arg(args, "--loop", 40);
        var rounds = Arg(args, "--rounds", 5);
        var starts = Arg(args, "--starts", 3);
        var warmup = TimeSpan.FromSeconds(Arg(args, "--warmup-seconds", 3));
        var jsonPath = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();
        if (rounds < 1 || starts < 1 || loop < 1)
        {
            throw new ArgumentException("--rounds, --starts and --loop must be at least 1.");
        }

        var world = await World.CreateAsync().ConfigureAwait(false);
        await using var _ = world;

        Console.WriteLine($"== time to ready, median of {starts} starts (process start to listening, ResNet-18)");
        var plainReady = new List<double>();
        var confidentialReady = new List<double>();
        var attestation = new List<double>();
        for (var i = 0; i < starts; i++)
        {
            using (var plain = await world.StartPlaintextAsync().ConfigureAwait(false))
            {
                plainReady.Add(plain.TimeToReady.TotalMilliseconds);
            }

            using var confidential = await world.StartConfidentialAsync().ConfigureAwait(false);
            confidentialReady.Add(confidential.TimeToReady.TotalMilliseconds);
            attestation.Add(confidential.AttestationMs);
            var steps = confidential.Ready.GetProperty("start_ms");
            Console.WriteLine(FormattableString.Invariant(
                $"start {i + 1}: plaintext {plainReady[^1]:0} ms, confidential {confidentialReady[^1]:0} ms (attestation {attestation[^1]:0}, key release {steps.GetProperty("key_release").GetDouble():0}, unseal {steps.GetProperty("unseal").GetDouble():0} ms)"));
        }

        var readyBound = (Median(plainReady) + Median(attestation)) * 1.1;
        Console.WriteLine(FormattableString.Invariant($"plaintext {Median(plainReady):0} ms, confidential {Median(confidentialReady):0} ms (attestation {Median(attestation):0} ms); bound (plaintext + attestation) × 1.1 = {readyBound:0} ms: {(Median(confidentialReady) <= readyBound ? "met" : "NOT met")}"));

        Console.WriteLine($"== gRPC (TF Serving Predict), concurrency {concurrency}, loop {loop}, median of {rounds} rounds after {warmup.TotalSeconds:0.#} s of warm-up each");
        using var plainServer = await world.StartPlaintextAsync().ConfigureAwait(false);
        using var confidentialServer = await world.StartConfidentialAsync().ConfigureAwait(false);
        using var local = InProcessModel.Load(world.PlainBasePath, Model, 0);
        var inputs = BenchCommand.CreateInputs(local.Description, 1, new Random(1));
        using var plainClient = InferenceClients.Create(InferenceProtocol.TfsGrpc, new Uri($"http://127.0.0.1:{plainServer.GrpcPort}"));
        using var confidentialClient = InferenceClients.Create(InferenceProtocol.TfsGrpc, new Uri($"https://localhost:{confidentialServer.GrpcPort}"), world.Trust.CreateHandler());
        var targets = new (string Name, Func<CancellationToken, Task> Send, MantleServer? Process)[]
        {
            ("in-process", local.Prepare(inputs), null),
            ("plaintext", plainClient.Prepare(Model, inputs), plainServer),
            ("confidential", confidentialClient.Prepare(Model, inputs), confidentialServer),
        };
        var load = new LoadOptions { Concurrency = concurrency, Loop = loop, Warmup = 0 };
        foreach (var target in targets)
        {
            await LoadRunner.RunAsync((_, ct) => target.Send(ct), new LoadOptions { Concurrency = concurrency, Loop = int.MaxValue / 2, MaxDuration = warmup }).ConfigureAwait(false);
        }

        var runs = targets.ToDictionary(t => t.Name, _ => new List<(LoadResult Load, double CpuMs)>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var target in targets.Skip(round % targets.Length).Concat(targets.Take(round % targets.Length)))
            {
                var cpuBefore = target.Process?.CpuSeconds() ?? 0;
                var result = await LoadRunner.RunAsync((_, ct) => target.Send(ct), load).ConfigureAwait(false);
                var cpu = target.Process is null ? double.NaN : (target.Process.CpuSeconds() - cpuBefore) * 1000 / Math.Max(1, result.Requests);
                if (result.Errors > 0)
                {
                    throw new InvalidOperationException($"{target.Name}: {result.Errors} requests failed: {result.FirstError}");
                }

                runs[target.Name].Add((result, cpu));
            }
        }

        var ratios = Enumerable.Range(0, rounds).Select(i => runs["confidential"][i].Load.Throughput / runs["plaintext"][i].Load.Throughput).Order().ToList();
        Console.WriteLine($"{"target",-13} {"items/s",9} {"p50 ms",8} {"p99 ms",8} {"server CPU ms/req",18}");
        foreach (var target in targets)
        {
            var r = runs[target.Name];
            var throughput = Median(r.Select(x => x.Load.Throughput));
            Console.WriteLine(FormattableString.Invariant(
                $"{target.Name,-13} {throughput,9:0.0} {Median(r.Select(x => x.Load.Latency.P50)),8:0.0} {Median(r.Select(x => x.Load.Latency.P99)),8:0.0} {(target.Process is null ? "" : Median(r.Select(x => x.CpuMs)).ToString("0.0", CultureInfo.InvariantCulture)),18}"));
        }

        var ratio = Median(ratios);
        Console.WriteLine(FormattableString.Invariant($"confidential / plaintext throughput: {ratio:0.000} (rounds {ratios[0]:0.000}–{ratios[^1]:0.000}); target ≥ 0.95: {(ratio >= 0.95 ? "met" : "NOT met")}"));
        Console.WriteLine(FormattableString.Invariant($"plaintext / in-process throughput: {Median(Enumerable.Range(0, rounds).Select(i => runs["plaintext"][i].Load.Throughput / runs["in-process"][i].Load.Throughput)):0.000}"));

        double? demoSeconds = null;
        if (!args.Contains("--no-demo"))
        {
            demoSeconds = await DemoSecondsAsync().ConfigureAwait(false);
            Console.WriteLine(FormattableString.Invariant($"mantle demo: {demoSeconds:0.0} s; target < 30 s: {(demoSeconds < 30 ? "met" : "NOT met")}"));
        }

        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new
            {
                concurrency,
                ready_ms = new { plaintext = Median(plainReady), confidential = Median(confidentialReady), attestation = Median(attestation), bound = readyBound },
                throughput = targets.ToDictionary(t => t.Name, t => Median(runs[t.Name].Select(x => x.Load.Throughput))),
                server_cpu_ms_per_request = new { plaintext = Median(runs["plaintext"].Select(x => x.CpuMs)), confidential = Median(runs["confidential"].Select(x => x.CpuMs)) },
                confidential_over_plaintext = new { median = ratio, min = ratios[0], max = ratios[^1] },
                demo_seconds = demoSeconds,
            })).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<double> DemoSecondsAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var demo = ChildProcess.StartMantle("demo", new Dictionary<string, string>(), "demo", "--bench-requests", "20", "--json");
        await using (demo)
        {
            await demo.WaitForLineAsync(l => l.StartsWith("{\"work_folder\"", StringComparison.Ordinal), TimeSpan.FromMinutes(3), CancellationToken.None).ConfigureAwait(false);
        }

        return stopwatch.Elapsed.TotalSeconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var value = args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return value is null ? fallback
            : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : throw new ArgumentException($"{name} must be a whole number, not '{value}'.");
    }

    /// <summary>The owner's files, the broker, and how to start the two servers.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly string _root;
        private readonly ChildProcess _broker;
        private readonly Dictionary<string, string> _environment;
        private readonly string _brokerUrl;

        private World(string root, ChildProcess broker, Dictionary<string, string> environment, string brokerUrl, ServerTrust trust)
        {
            _root = root;
            _broker = broker;
            _environment = environment;
            _brokerUrl = brokerUrl;
            Trust = trust;
        }

        public ServerTrust Trust { get; }

        public string PlainBasePath => Path.Combine(_root, "plain", Model);

        private string SimKey => Path.Combine(_root, "config", "mantle", "sim-platform-key.pem");

        public static async Task<World> CreateAsync()
        {
            var root = Directory.CreateTempSubdirectory("mantle-confidential-bench-").FullName;
            var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = Path.Combine(root, "config") };
            var resnet = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
            Directory.CreateDirectory(Path.Combine(root, "plain", Model, "1"));
            File.Copy(resnet, Path.Combine(root, "plain", Model, "1", "model.onnx"));
            using var key = ModelKey.Generate();
            using var signer = OwnerSigningKey.Generate();
            signer.Save(Path.Combine(root, "owner.pem"));
            await ModelSealer.SealAsync(resnet, Path.Combine(root, "sealed", Model, "1"), key, signer, new ModelSealOptions { Name = Model }).ConfigureAwait(false);
            TlsMaterial.Create(new TlsMaterialOptions { ServerName = "localhost", ClientName = "bench" }).Save(Path.Combine(root, "client"));
            using (SimulatedTee.LoadOrCreate(Path.Combine(root, "config", "mantle", "sim-platform-key.pem")))
            {
            }

            var brokerFolder = Path.Combine(root, "broker");
            BrokerInitializer.Initialize(brokerFolder, new BrokerInitOptions { AllowSim = true });
            var broker = ChildProcess.StartMantle("key broker", environment,
                "broker", "serve", "--config", brokerFolder, "--urls", "https://127.0.0.1:0", "--sim-key", Path.Combine(root, "config", "mantle", "sim-platform-key.pem"));
            const string Listening = "Key broker listening on ";
            var line = await broker.WaitForLineAsync(l => l.StartsWith(Listening, StringComparison.Ordinal), TimeSpan.FromSeconds(60), CancellationToken.None).ConfigureAwait(false);
            var brokerUrl = $"https://localhost:{new Uri(line[Listening.Length..].Split(',')[0].Trim()).Port}";
            var policy = MeasureCommand.PinnedPolicy(SimEvidenceProvider.MeasureProgram(AppContext.BaseDirectory).Measurement);
            using (var admin = new BrokerAdminClient(AdminCredential.Load(Path.Combine(brokerFolder, "admin.credential")), new BrokerAdminClientOptions { BrokerUrl = brokerUrl }))
            {
                var bytes = key.ExportBytes();
                try
                {
                    await admin.PutResourceAsync(KbsProtocol.ModelKeyPath(key.Id), bytes, policy).ConfigureAwait(false);
                }
                finally
                {
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
                }
            }

            var trust = new ServerTrust
            {
                Policy = AttestationPolicy.Parse(policy),
                ClientCertificate = ServerTrust.LoadClientCertificate(Path.Combine(root, "client", "client.crt"), Path.Combine(root, "client", "client.key")),
            };
            trust.AddCertificateAuthorities(Path.Combine(brokerFolder, "ca.crt"));
            return new World(root, broker, environment, brokerUrl, trust);
        }

        public Task<MantleServer> StartPlaintextAsync() => MantleServer.StartAsync(MantleServer.DefaultMantle, [
            "serve", "--plaintext", "--model_name", Model, "--model_base_path", PlainBasePath,
            "--port", "0", "--rest_api_port", "0", "--file_system_poll_wait_seconds", "0", "--json"], _environment);

        public Task<MantleServer> StartConfidentialAsync() => MantleServer.StartAsync(MantleServer.DefaultMantle, [
            "serve", "--broker", _brokerUrl, "--broker-ca", Path.Combine(_root, "broker", "ca.crt"), "--tee", "sim", "--sim-key", SimKey,
            "--owner-key", Path.Combine(_root, "owner.pem.pub"), "--model_name", Model, "--model_base_path", Path.Combine(_root, "sealed", Model),
            "--client-ca", Path.Combine(_root, "client", "ca.crt"), "--port", "0", "--rest_api_port", "0", "--file_system_poll_wait_seconds", "0",
            "--key-check-seconds", "0", "--json"], _environment);

        public async ValueTask DisposeAsync()
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(_root, recursive: true);
        }
    }
}
