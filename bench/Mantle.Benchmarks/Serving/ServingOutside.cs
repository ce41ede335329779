using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// Serving measured as a user runs it: <c>mantle serve</c> is its own process and <c>mantle bench</c> another, and the
/// baseline is <c>mantle bench --in-process</c> (ONNX Runtime with the server's session settings) as a third, each
/// round in the same run. The server's CPU is read from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime) inside the load
/// client's measured window only: the server's start-up and its warm-up (<c>--warmup-seconds</c> of load per API before
/// the rounds) and the client's start-up and warm-up requests are outside it. <c>mantle bench --json</c> reports the
/// window and its own CPU over it (<c>client_cpu_ms_per_request</c>).
/// Per model and API it prints the medians and ranges over the rounds of: throughput over in-process, the server's CPU
/// per request and its ratio to in-process CPU per request, the client's CPU per request, and p50 latency added.
/// Usage: <c>serving-outside [--concurrency 4] [--rounds 3] [--loop 2000] [--image-loop 300] [--resnet-loop 60]
/// [--warmup-seconds 8] [--protocols tfs-grpc,kserve-grpc,kserve-rest,tfs-rest,kserve-rest-json] [--mantle PATH/mantle.dll] [--json FILE]
/// [--models-dir DIR]</c>; a loop of 0 skips that model; <c>--models-dir</c> writes the models and their config file there and keeps
/// them (to profile a server by hand), instead of a temporary folder.
/// </summary>
internal static class ServingOutside
{
    private static readonly string[] AllProtocols = ["tfs-grpc", "kserve-grpc", "kserve-rest", "tfs-rest", "kserve-rest-json"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>One <c>mantle bench</c> run: its JSON, and the server's CPU inside its measured window.</summary>
    private sealed record BenchRun(double Throughput, double P50, long Requests, long Errors, double ClientCpuMs, double ServerCpuMs);

    public static async Task<int> RunAsync(string[] args)
    {
        var concurrency = Arg(args, "--concurrency", 4);
        var rounds = Math.Max(1, Arg(args, "--rounds", 3));
        var warmupSeconds = Arg(args, "--warmup-seconds", 8);
        var protocols = StringArg(args, "--protocols")?.Split(',') ?? AllProtocols;
        foreach (var protocol in protocols.Where(p => !AllProtocols.Contains(p)))
        {
            throw new ArgumentException($"--protocols: unknown API '{protocol}'; use a comma-separated list of {string.Join(", ", AllProtocols)}.");
        }

        var mantle = StringArg(args, "--mantle") ?? MantleServer.DefaultMantle;
        var jsonPath = StringArg(args, "--json");
        var keep = StringArg(args, "--models-dir");
        var root = keep ?? Directory.CreateTempSubdirectory("mantle-outside-").FullName;
        try
        {
            var models = new (string Name, string Path, int Loop)[]
            {
                ("tiny", WriteTiny(root), Arg(args, "--loop", 2000)),
                ("image_shape", WriteImageShape(root), Arg(args, "--image-loop", 300)),
                ("resnet18", WriteModel(root, "resnet18", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"))), Arg(args, "--resnet-loop", 60)),
            };
            var config = Path.Combine(root, "models.config");
            await File.WriteAllTextAsync(config, "model_config_list {\n" + string.Concat(models.Select(m =>
                $"  config {{ name: \"{m.Name}\" base_path: \"{m.Path}\" model_platform: \"onnx\" }}\n")) + "}\n").ConfigureAwait(false);

            Console.WriteLine($"mantle: {mantle}; {Environment.ProcessorCount} cores; load average {LoadAverage()}");
            using var server = await MantleServer.StartPlaintextAsync(mantle, ["--model_config_file", config]).ConfigureAwait(false);
            Console.WriteLine($"server pid {server.Pid}, gRPC {server.GrpcPort}, REST {server.RestPort}; start-up took {server.StartupCpuSeconds:F2} s of CPU (not counted)");
            var results = new List<object>();
            foreach (var (model, path, loop) in models.Where(m => m.Loop > 0))
            {
                var warmup = Math.Max(20, loop / 5);
                Console.WriteLine($"== {model}: concurrency {concurrency}, batch 1, {loop} measured requests per worker after {warmup} unmeasured, {rounds} rounds, {warmupSeconds} s of warm-up per API");
                foreach (var protocol in protocols)
                {
                    await BenchAsync(mantle, server, model, protocol, concurrency, 1_000_000, 0, warmupSeconds).ConfigureAwait(false);
                }

                var baselines = new List<BenchRun>();
                var served = protocols.ToDictionary(p => p, _ => new List<BenchRun>());
                for (var round = 0; round < rounds; round++)
                {
                    baselines.Add(await InProcessAsync(mantle, path, model, concurrency, loop, warmup).ConfigureAwait(false));
                    foreach (var protocol in protocols.Skip(round % protocols.Length).Concat(protocols.Take(round % protocols.Length)))
                    {
                        served[protocol].Add(await BenchAsync(mantle, server, model, protocol, concurrency, loop, warmup, null).ConfigureAwait(false));
                    }
                }

                Console.WriteLine($"{"target",-17} {"req/s",8} {"tput ratio",18} {"server ms/req",20} {"server/in-proc",18} {"client ms/req",20} {"+p50 ms",8} {"req/s/core",10} {"errors",6}");
                var baseCpu = Median(baselines.Select(b => b.ClientCpuMs));
                var baseP50 = Median(baselines.Select(b => b.P50));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{"in-process",-17} {Median(baselines.Select(b => b.Throughput)),8:F1} {"1",18} {Range(baselines.Select(b => b.ClientCpuMs)),20} {"1",18} {"",20} {"",8} {1000 / baseCpu,10:F0} {baselines.Sum(b => b.Errors),6}"));
                foreach (var protocol in protocols)
                {
                    var runs = served[protocol];
                    var throughputRatios = runs.Select((r, i) => r.Throughput / baselines[i].Throughput).ToList();
                    var cpuRatios = runs.Select((r, i) => r.ServerCpuMs / baselines[i].ClientCpuMs).ToList();
                    var addedP50 = runs.Select((r, i) => r.P50 - baselines[i].P50).ToList();
                    var serverCpu = Median(runs.Select(r => r.ServerCpuMs));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{protocol,-17} {Median(runs.Select(r => r.Throughput)),8:F1} {Range(throughputRatios),18} {Range(runs.Select(r => r.ServerCpuMs)),20} {Range(cpuRatios),18} {Range(runs.Select(r => r.ClientCpuMs)),20} {Median(addedP50),8:F3} {1000 / serverCpu,10:F0} {runs.Sum(r => r.Errors),6}"));
                    results.Add(new
                    {
                        model,
                        protocol,
                        concurrency,
                        rounds,
                        throughput = Math.Round(Median(runs.Select(r => r.Throughput)), 1),
                        baseline_throughput = Math.Round(Median(baselines.Select(b => b.Throughput)), 1),
                        throughput_ratio = Summary(throughputRatios),
                        server_cpu_ms_per_request = Summary(runs.Select(r => r.ServerCpuMs)),
                        baseline_cpu_ms_per_request = Summary(baselines.Select(b => b.ClientCpuMs)),
                        server_cpu_ratio = Summary(cpuRatios),
                        client_cpu_ms_per_request = Summary(runs.Select(r => r.ClientCpuMs)),
                        p50_ms = Math.Round(Median(runs.Select(r => r.P50)), 3),
                        baseline_p50_ms = Math.Round(baseP50, 3),
                        added_p50_ms = Summary(addedP50),
                        requests_per_second_per_server_core = Math.Round(1000 / serverCpu),
                        errors = runs.Sum(r => r.Errors),
                    });
                }
            }

            Console.WriteLine($"load average at the end: {LoadAverage()}");
            if (jsonPath is not null)
            {
                await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(results, Indented)).ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static async Task<BenchRun> InProcessAsync(string mantle, string basePath, string model, int concurrency, int loop, int warmup)
    {
        var json = await RunBenchAsync(mantle, ["bench", "--in-process", "--model_base_path", basePath, "--model", model,
            "--concurrency", Text(concurrency), "--loop", Text(loop), "--warmup", Text(warmup), "--json"]).ConfigureAwait(false);
        return Parse(json, serverCpuSeconds: null);
    }

    private static async Task<BenchRun> BenchAsync(string mantle, MantleServer server, string model, string protocol, int concurrency, int loop, int warmup, double? maxSeconds)
    {
        var port = protocol.EndsWith("grpc", StringComparison.Ordinal) ? server.GrpcPort : server.RestPort;
        List<string> arguments = ["bench", "--url", $"127.0.0.1:{port}", "--protocol", protocol, "--model", model,
            "--concurrency", Text(concurrency), "--loop", Text(loop), "--warmup", Text(warmup), "--json"];
        if (maxSeconds is { } seconds)
        {
            arguments.AddRange(["--max-seconds", Text(seconds)]);
        }

        using var sampler = ProcessCpu.Sample(server.Pid);
        var json = await RunBenchAsync(mantle, arguments).ConfigureAwait(false);
        using var document = JsonDocument.Parse(json);
        var from = FromUnixMs(document.RootElement.GetProperty("measured_from_unix_ms").GetDouble());
        var to = FromUnixMs(document.RootElement.GetProperty("measured_to_unix_ms").GetDouble());
        return Parse(json, sampler.SecondsBetween(from, to));
    }

    private static BenchRun Parse(string json, double? serverCpuSeconds)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var requests = root.GetProperty("requests").GetInt64();
        return new BenchRun(
            root.GetProperty("throughput").GetDouble(),
            root.GetProperty("latency_ms").GetProperty("p50").GetDouble(),
            requests,
            root.GetProperty("errors").GetInt64(),
            root.GetProperty("client_cpu_ms_per_request").GetDouble(),
            serverCpuSeconds is { } s && requests > 0 ? s * 1000 / requests : 0);
    }

    private static async Task<string> RunBenchAsync(string mantle, IEnumerable<string> arguments)
    {
        using var process = Process.Start(MantleServer.StartInfo(mantle, arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        var output = (await stdout.ConfigureAwait(false)).Trim();
        if (output.Length == 0 || output[0] != '{')
        {
            throw new InvalidOperationException($"mantle {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }

        return output;
    }

    private static DateTimeOffset FromUnixMs(double ms) => DateTimeOffset.UnixEpoch.AddTicks((long)(ms * TimeSpan.TicksPerMillisecond));

    private static string WriteTiny(string root) => WriteModel(root, "tiny", new OnnxModelBuilder()
        .Input("x", TensorElementType.Float, -1, 4)
        .Output("y", TensorElementType.Float, -1, 4)
        .Node("Identity", ["x"], ["y"])
        .Build());

    private static string WriteImageShape(string root) => WriteModel(root, "image_shape", new OnnxModelBuilder()
        .Input("x", TensorElementType.Float, -1, 3, 224, 224)
        .Output("y", TensorElementType.Int64, 4)
        .Node("Shape", ["x"], ["y"])
        .Build());

    private static string WriteModel(string root, string name, byte[] model)
    {
        var basePath = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(basePath, "1"));
        File.WriteAllBytes(Path.Combine(basePath, "1", "model.onnx"), model);
        return basePath;
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    private static string Range(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:F3} ({sorted[0]:F3}-{sorted[^1]:F3})");
    }

    private static object Summary(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return new { median = Math.Round(sorted[sorted.Count / 2], 4), min = Math.Round(sorted[0], 4), max = Math.Round(sorted[^1], 4) };
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? StringArg(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static int Arg(string[] args, string name, int fallback)
    {
        var text = StringArg(args, name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name}: '{text}' is not a whole number; give a count such as {fallback}.");
    }
}
