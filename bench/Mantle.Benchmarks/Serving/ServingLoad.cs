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
/// same run. Prints throughput ratios and added latency; <c>--json FILE</c> also writes the figures.
/// Usage: <c>serving-load [--concurrency 4] [--batch 1] [--loop 300] [--resnet-loop 40] [--rounds 4] [--json FILE]</c>.
/// </summary>
internal static class ServingLoad
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly InferenceProtocol[] Protocols = [InferenceProtocol.TfsGrpc, InferenceProtocol.KServeGrpc, InferenceProtocol.TfsRest, InferenceProtocol.KServeRest];

    public static async Task<int> RunAsync(string[] args)
    {
        var concurrency = Arg(args, "--concurrency", 4);
        var batch = Arg(args, "--batch", 1);
        var rounds = Arg(args, "--rounds", 4);
        var jsonPath = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();
        var root = Directory.CreateTempSubdirectory("mantle-bench-").FullName;
        try
        {
            var tinyPath = WriteModel(root, "tiny", new OnnxModelBuilder()
                .Input("x", TensorElementType.Float, -1, 4)
                .Output("y", TensorElementType.Float, -1, 4)
                .Node("Identity", ["x"], ["y"])
                .Build());
            var resnetPath = WriteModel(root, "resnet18", await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx")).ConfigureAwait(false));

            var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = NullLoggerFactory.Instance };
            options.Models.Add(new ModelConfig { Name = "tiny", BasePath = tinyPath });
            options.Models.Add(new ModelConfig { Name = "resnet18", BasePath = resnetPath });
            await using var server = await ServingServer.StartAsync(options).ConfigureAwait(false);

            var results = new List<object>();
            foreach (var (model, path, loop) in new[] { ("tiny", tinyPath, Arg(args, "--loop", 300)), ("resnet18", resnetPath, Arg(args, "--resnet-loop", 40)) })
            {
                var load = new LoadOptions { Concurrency = concurrency, Loop = loop, Warmup = Math.Max(2, loop / 10), ItemsPerRequest = batch };
                Console.WriteLine($"== {model}: concurrency {concurrency}, batch {batch}, loop {loop}, best of {rounds} rounds");
                using var local = InProcessModel.Load(path, model, intraOpThreads: 0);
                var inputs = BenchCommand.CreateInputs(local.Description, batch, new Random(1));
                var localSend = local.Prepare(inputs);

                var clients = Protocols.ToDictionary(p => p, p => InferenceClients.Create(p, p is InferenceProtocol.TfsGrpc or InferenceProtocol.KServeGrpc ? server.GrpcAddress : server.RestAddress));
                var baseline = (LoadResult?)null;
                var served = Protocols.ToDictionary(p => p, _ => (LoadResult?)null);
                for (var round = 0; round < rounds; round++)
                {
                    baseline = Best(baseline, await LoadRunner.RunAsync((_, ct) => localSend(ct), load).ConfigureAwait(false));
                    // Rotate the order each round so that no API is always the first one after the baseline.
                    foreach (var protocol in Protocols.Skip(round % Protocols.Length).Concat(Protocols.Take(round % Protocols.Length)))
                    {
                        var send = clients[protocol].Prepare(model, inputs);
                        served[protocol] = Best(served[protocol], await LoadRunner.RunAsync((_, ct) => send(ct), load).ConfigureAwait(false));
                    }
                }

                Console.WriteLine($"{"target",-14} {"items/s",10} {"ratio",7} {"p50 ms",9} {"p99 ms",9} {"+p50 ms",9} {"errors",7}");
                Print("in-process", baseline!, baseline!);
                foreach (var protocol in Protocols)
                {
                    Print(Name(protocol), served[protocol]!, baseline!);
                    results.Add(new
                    {
                        model,
                        protocol = Name(protocol),
                        concurrency,
                        batch,
                        throughput = Math.Round(served[protocol]!.Throughput, 1),
                        baseline_throughput = Math.Round(baseline!.Throughput, 1),
                        ratio = Math.Round(served[protocol]!.Throughput / baseline.Throughput, 3),
                        p50_ms = Math.Round(served[protocol]!.Latency.P50, 3),
                        baseline_p50_ms = Math.Round(baseline.Latency.P50, 3),
                        added_p50_ms = Math.Round(served[protocol]!.Latency.P50 - baseline.Latency.P50, 3),
                        errors = served[protocol]!.Errors,
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

    private static LoadResult Best(LoadResult? a, LoadResult b) => a is null || b.Throughput > a.Throughput ? b : a;

    private static void Print(string name, LoadResult result, LoadResult baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-14} {result.Throughput,10:F1} {result.Throughput / baseline.Throughput,7:F3} {result.Latency.P50,9:F3} {result.Latency.P99,9:F3} {result.Latency.P50 - baseline.Latency.P50,9:F3} {result.Errors,7}"));

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
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
