using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mantle.Cli.Commands.Client;
using Mantle.Client.Inference;
using Mantle.Client.Load;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// The served-vs-in-process scenario: the same closed-loop load (concurrency, batch, loop) runs on ONNX
/// Runtime in this process (the baseline) and through a real server on loopback over each API, in the
/// same run. Each round measures the baseline and then every API, so a ratio compares runs seconds apart;
/// the reported ratio is the median of the per-round ratios, which a noisy neighbour on a shared machine
/// moves far less than a best-of or a single run. Prints throughput ratios and added latency;
/// <c>--json FILE</c> also writes the figures.
/// Models: "tiny" (Identity on [N,4]: per-request overhead), "image_shape" (a 600 KB [N,3,224,224] image in,
/// its shape out: what moving a ResNet-sized tensor costs) and ResNet-18; a loop of 0 skips a model. The
/// CPU column is this process's CPU time per request, load generator and server together. Before the rounds,
/// the baseline and every API run unmeasured for <c>--warmup-seconds</c> each, so that the rounds measure
/// steady state rather than the runtime compiling hot paths.
/// Usage: <c>serving-load [--concurrency 4] [--batch 1] [--loop 300] [--image-loop 300] [--resnet-loop 40] [--rounds 5]
/// [--warmup-seconds 3] [--protocols tfs-grpc,kserve-grpc,tfs-rest,kserve-rest] [--intra-op-threads 0] [--json FILE]</c>.
/// </summary>
internal static class ServingLoad
{
    /// <summary>One load run and the process CPU time it cost per request.</summary>
    private sealed record Run(LoadResult Load, double CpuMsPerRequest);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly InferenceProtocol[] AllProtocols = [InferenceProtocol.TfsGrpc, InferenceProtocol.KServeGrpc, InferenceProtocol.TfsRest, InferenceProtocol.KServeRest];

    public static async Task<int> RunAsync(string[] args)
    {
        var concurrency = Arg(args, "--concurrency", 4);
        var batch = Arg(args, "--batch", 1);
        var rounds = Arg(args, "--rounds", 5);
        if (rounds < 1)
        {
            throw new ArgumentException("--rounds: give at least 1 round.");
        }

        var intraOpThreads = Arg(args, "--intra-op-threads", 0);
        var warmup = TimeSpan.FromSeconds(Arg(args, "--warmup-seconds", 3));
        var protocolsArg = args.SkipWhile(a => a != "--protocols").Skip(1).FirstOrDefault();
        var protocols = protocolsArg is null ? AllProtocols : [.. protocolsArg.Split(',').Select(ParseProtocol)];
        var jsonPath = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();
        var root = Directory.CreateTempSubdirectory("mantle-bench-").FullName;
        try
        {
            var tinyPath = WriteModel(root, "tiny", new OnnxModelBuilder()
                .Input("x", TensorElementType.Float, -1, 4)
                .Output("y", TensorElementType.Float, -1, 4)
                .Node("Identity", ["x"], ["y"])
                .Build());
            // A ResNet-sized request (600 KB image) with no compute behind it: what moving the tensor costs.
            var imageShapePath = WriteModel(root, "image_shape", new OnnxModelBuilder()
                .Input("x", TensorElementType.Float, -1, 3, 224, 224)
                .Output("y", TensorElementType.Int64, 4)
                .Node("Shape", ["x"], ["y"])
                .Build());
            var resnetPath = WriteModel(root, "resnet18", await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx")).ConfigureAwait(false));

            var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = NullLoggerFactory.Instance };
            options.Repository.Onnx.IntraOpThreads = intraOpThreads;
            options.Models.Add(new ModelConfig { Name = "tiny", BasePath = tinyPath });
            options.Models.Add(new ModelConfig { Name = "image_shape", BasePath = imageShapePath });
            options.Models.Add(new ModelConfig { Name = "resnet18", BasePath = resnetPath });
            await using var server = await ServingServer.StartAsync(options).ConfigureAwait(false);

            var results = new List<object>();
            var models = new (string Name, string Path, int Loop)[]
            {
                ("tiny", tinyPath, Arg(args, "--loop", 300)),
                ("image_shape", imageShapePath, Arg(args, "--image-loop", 300)),
                ("resnet18", resnetPath, Arg(args, "--resnet-loop", 40)),
            };
            foreach (var (model, path, loop) in models.Where(m => m.Loop > 0))
            {
                var load = new LoadOptions { Concurrency = concurrency, Loop = loop, Warmup = Math.Max(2, loop / 10), ItemsPerRequest = batch };
                Console.WriteLine($"== {model}: concurrency {concurrency}, batch {batch}, loop {loop}, median of {rounds} rounds after {warmup.TotalSeconds:0.#} s of warm-up per target");
                using var local = InProcessModel.Load(path, model, intraOpThreads);
                var inputs = BenchCommand.CreateInputs(local.Description, batch, new Random(1));
                var localSend = local.Prepare(inputs);

                var clients = protocols.ToDictionary(p => p, p => InferenceClients.Create(p, p is InferenceProtocol.TfsGrpc or InferenceProtocol.KServeGrpc ? server.GrpcAddress : server.RestAddress));
                var sends = protocols.ToDictionary(p => p, p => clients[p].Prepare(model, inputs));
                await WarmUpAsync(sends.Values.Prepend(localSend), concurrency, warmup).ConfigureAwait(false);
                var baselines = new List<Run>();
                var served = protocols.ToDictionary(p => p, _ => new List<Run>());
                for (var round = 0; round < rounds; round++)
                {
                    baselines.Add(await MeasureAsync(localSend, load).ConfigureAwait(false));
                    // Rotate the order each round so that no API is always the first one after the baseline.
                    foreach (var protocol in protocols.Skip(round % protocols.Length).Concat(protocols.Take(round % protocols.Length)))
                    {
                        served[protocol].Add(await MeasureAsync(sends[protocol], load).ConfigureAwait(false));
                    }
                }

                var baseline = Median(baselines, r => r.Load.Throughput);
                var baselineCpu = Median(baselines.Select(r => r.CpuMsPerRequest));
                Console.WriteLine($"{"target",-14} {"items/s",10} {"ratio",7} {"range",13} {"p50 ms",9} {"p99 ms",9} {"+p50 ms",9} {"CPU ms/req",10} {"errors",7}");
                Print("in-process", baseline.Load, 1, 1, 1, baselineCpu, baseline.Load);
                foreach (var protocol in protocols)
                {
                    var runs = served[protocol];
                    var ratios = runs.Select((r, i) => r.Load.Throughput / baselines[i].Load.Throughput).Order().ToList();
                    var ratio = Median(ratios);
                    var result = Median(runs, r => r.Load.Throughput).Load;
                    var cpu = Median(runs.Select(r => r.CpuMsPerRequest));
                    Print(Name(protocol), result, ratio, ratios[0], ratios[^1], cpu, baseline.Load);
                    results.Add(new
                    {
                        model,
                        protocol = Name(protocol),
                        concurrency,
                        batch,
                        rounds,
                        throughput = Math.Round(result.Throughput, 1),
                        baseline_throughput = Math.Round(baseline.Load.Throughput, 1),
                        ratio = Math.Round(ratio, 3),
                        ratio_min = Math.Round(ratios[0], 3),
                        ratio_max = Math.Round(ratios[^1], 3),
                        p50_ms = Math.Round(result.Latency.P50, 3),
                        baseline_p50_ms = Math.Round(baseline.Load.Latency.P50, 3),
                        added_p50_ms = Math.Round(result.Latency.P50 - baseline.Load.Latency.P50, 3),
                        cpu_ms_per_request = Math.Round(cpu, 3),
                        baseline_cpu_ms_per_request = Math.Round(baselineCpu, 3),
                        errors = runs.Sum(r => r.Load.Errors),
                    });
                }

                foreach (var client in clients.Values)
                {
                    client.Dispose();
                }
            }

            if (jsonPath is not null)
            {
                await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(results, Indented)).ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Runs each target (the baseline and every API), unmeasured, for <paramref name="duration"/>, so that the rounds
    /// measure steady state: the runtime compiles hot methods again, optimized, after they have run a while,
    /// and until it has done so a round measures compilation, not serving.
    /// </summary>
    private static async Task WarmUpAsync(IEnumerable<Func<CancellationToken, Task>> targets, int concurrency, TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        foreach (var send in targets)
        {
            await LoadRunner.RunAsync((_, ct) => send(ct), new LoadOptions { Concurrency = concurrency, Loop = 100_000, MaxDuration = duration }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one load and charges this process's CPU time (load generator and server together; warm-up included)
    /// to its requests.
    /// </summary>
    private static async Task<Run> MeasureAsync(Func<CancellationToken, Task> send, LoadOptions load)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        var result = await LoadRunner.RunAsync((_, ct) => send(ct), load).ConfigureAwait(false);
        process.Refresh();
        var requests = (long)(load.Loop + load.Warmup) * load.Concurrency;
        return new Run(result, (process.TotalProcessorTime - before).TotalMilliseconds / requests);
    }

    /// <summary>The run with the median value of <paramref name="key"/> (the upper one of an even count).</summary>
    private static Run Median(List<Run> runs, Func<Run, double> key) => runs.OrderBy(key).ElementAt(runs.Count / 2);

    /// <summary>The median of <paramref name="values"/> (the upper one of an even count), as <see cref="Median(List{Run}, Func{Run, double})"/> picks runs.</summary>
    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static void Print(string name, LoadResult result, double ratio, double min, double max, double cpuMsPerRequest, LoadResult baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-14} {result.Throughput,10:F1} {ratio,7:F3} {$"{min:F3}-{max:F3}",13} {result.Latency.P50,9:F3} {result.Latency.P99,9:F3} {result.Latency.P50 - baseline.Latency.P50,9:F3} {cpuMsPerRequest,10:F3} {result.Errors,7}"));

    private static InferenceProtocol ParseProtocol(string name)
    {
        foreach (var protocol in AllProtocols)
        {
            if (Name(protocol) == name)
            {
                return protocol;
            }
        }

        throw new ArgumentException($"--protocols: unknown API '{name}'; use a comma-separated list of {string.Join(", ", AllProtocols.Select(Name))}.");
    }

    private static string Name(InferenceProtocol protocol) => protocol switch
    {
        InferenceProtocol.TfsGrpc => "tfs-grpc",
        InferenceProtocol.KServeGrpc => "kserve-grpc",
        InferenceProtocol.TfsRest => "tfs-rest",
        _ => "kserve-rest",
    };

    private static string WriteModel(string root, string name, byte[] model)
    {
        var basePath = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(basePath, "1"));
        File.WriteAllBytes(Path.Combine(basePath, "1", "model.onnx"), model);
        return basePath;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0 || index + 1 >= args.Length)
        {
            return fallback;
        }

        return int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name}: '{args[index + 1]}' is not a whole number; give a count such as {fallback}.");
    }
}
