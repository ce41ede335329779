using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.KServe;
using Microsoft.Extensions.Logging.Abstractions;
using Tensorflow.Serving;
using Xunit.Abstractions;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>
/// ONNX's backend test suite (Debian package libonnx-testdata) served through the KServe v2 REST API
/// (binary tensor extension), TF Serving gRPC Predict and KServe gRPC ModelInfer: every case ONNX Runtime runs in-process and the protocols can carry
/// must give the same outputs when served.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class OnnxConformanceTests(ITestOutputHelper output)
{
    private const int ModelsPerServer = 150;
    private static readonly int Parallelism = Math.Max(2, Environment.ProcessorCount);

    [Fact]
    public async Task OnnxBackendSuite_ServedThroughKServeRestAndTfServingGrpc_MatchesOnnxRuntime()
    {
        var root = OnnxTestCase.Root;
        var cases = OnnxTestCase.Discover(root);
        Assert.True(cases.Count > 0,
            $"ONNX backend test data not found under {root} (node, pytorch-converted); run scripts/install-deps.sh (Debian package libonnx-testdata) or set MANTLE_ONNX_TESTDATA");

        var watch = Stopwatch.StartNew();
        var report = new ConformanceReport { Total = cases.Count };
        var prepared = new ConcurrentBag<PreparedCase>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, (testCase, _) =>
        {
            var (ready, reason, detail) = CasePreparer.Prepare(testCase);
            if (ready is null)
            {
                report.Skip(reason!, detail is null ? testCase.ModelName : $"{testCase.ModelName} ({detail})");
            }
            else
            {
                prepared.Add(ready);
            }

            return ValueTask.CompletedTask;
        });
        var prepareTime = watch.Elapsed;

        foreach (var batch in prepared.OrderBy(c => c.Case.ModelName, StringComparer.Ordinal).Chunk(ModelsPerServer))
        {
            await RunBatchAsync(batch, report);
        }

        var text = report.Format([Path.Combine(root, "node"), Path.Combine(root, "pytorch-converted")])
            + $"  time: {prepareTime.TotalSeconds:F0} s in-process, {(watch.Elapsed - prepareTime).TotalSeconds:F0} s served";
        output.WriteLine(text);
        Console.WriteLine(text);
        Assert.True(report.Failures.IsEmpty, $"{report.Failures.Count} served cases differ:\n{string.Join("\n", report.Failures.Order(StringComparer.Ordinal))}");
        Assert.True(report.Ran > 0, "no case ran");
    }

    private static async Task RunBatchAsync(PreparedCase[] batch, ConformanceReport report)
    {
        // A repository of links to the test data: base_path/1 -> the case folder holding model.onnx.
        using var root = new TempFolder();
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = NullLoggerFactory.Instance };
        options.Repository.Onnx.IntraOpThreads = 1;
        foreach (var c in batch)
        {
            var basePath = Path.Combine(root.Path, c.Case.ModelName);
            Directory.CreateDirectory(basePath);
            Directory.CreateSymbolicLink(Path.Combine(basePath, "1"), c.Case.Directory);
            options.Models.Add(new ModelConfig { Name = c.Case.ModelName, BasePath = basePath });
        }

        await using var server = await ServingServer.StartAsync(options);
        using var http = new HttpClient { BaseAddress = server.RestAddress, Timeout = TimeSpan.FromMinutes(2) };
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 256 * 1024 * 1024, MaxSendMessageSize = 256 * 1024 * 1024 });
        var tfs = new PredictionService.PredictionServiceClient(channel);
        var kserve = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (c, _) =>
        {
            var outputNames = server.Repository.Find(c.Case.ModelName).Model!.Signature.Outputs.Select(o => o.Name).ToList();
            var failure = await CheckAsync(http, tfs, kserve, c, outputNames);
            if (failure is null)
            {
                report.Passed.Add(c.Case.ModelName);
                if (!c.OrtMatchesExpected)
                {
                    report.OrtDiffersFromExpected.Add(c.Case.ModelName);
                }
            }
            else
            {
                report.Failures.Add($"{c.Case.ModelName}: {failure}");
            }
        });
    }

    private static async Task<string?> CheckAsync(
        HttpClient http,
        PredictionService.PredictionServiceClient tfs,
        GRPCInferenceService.GRPCInferenceServiceClient kserve,
        PreparedCase c,
        IReadOnlyList<string> outputNames)
    {
        foreach (var dataSet in c.DataSets)
        {
            var reply = await KServeRestTestClient.InferBinaryAsync(http, c.Case.ModelName, dataSet.Inputs);
            if (reply.Error is not null)
            {
                return $"{dataSet.Name} KServe REST: HTTP {(int)reply.Status}: {reply.Error}";
            }

            if (Compare(dataSet, reply.Outputs, c.OrtMatchesExpected) is { } restDifference)
            {
                return $"{dataSet.Name} KServe REST: {restDifference}";
            }

            var (outputs, error) = await TfServingGrpcTestClient.PredictAsync(tfs, c.Case.ModelName, dataSet.Inputs, outputNames);
            if (error is not null)
            {
                return $"{dataSet.Name} TF Serving gRPC: {error}";
            }

            if (Compare(dataSet, outputs!, c.OrtMatchesExpected) is { } grpcDifference)
            {
                return $"{dataSet.Name} TF Serving gRPC: {grpcDifference}";
            }

            var (kserveOutputs, kserveError) = await KServeGrpcTestClient.InferAsync(kserve, c.Case.ModelName, dataSet.Inputs);
            if (kserveError is not null)
            {
                return $"{dataSet.Name} KServe gRPC: {kserveError}";
            }

            if (Compare(dataSet, kserveOutputs!, c.OrtMatchesExpected) is { } kserveDifference)
            {
                return $"{dataSet.Name} KServe gRPC: {kserveDifference}";
            }
        }

        return null;
    }

    private static string? Compare(PreparedDataSet dataSet, IReadOnlyList<InferenceTensor> served, bool againstExpected)
    {
        if (CasePreparer.FirstDifference(dataSet.OrtOutputs, served) is { } vsOrt)
        {
            return $"differs from onnxruntime in-process: {vsOrt}";
        }

        return againstExpected && CasePreparer.FirstDifference(dataSet.Expected, served) is { } vsExpected
            ? $"differs from the expected output: {vsExpected}"
            : null;
    }
}
