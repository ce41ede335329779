using System.Collections.Concurrent;
using System.Diagnostics;
using Mantle.Serving.Engine;
using Mantle.Serving.Tests.KServe;
using Xunit.Abstractions;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>
/// ONNX's backend test suite (Debian package libonnx-testdata) served through the KServe v2 REST API
/// (binary tensor extension): every case ONNX Runtime runs in-process and the protocols can carry
/// must give the same outputs when served.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class OnnxConformanceTests(ITestOutputHelper output)
{
    private const int ModelsPerServer = 150;
    private static readonly int Parallelism = Math.Max(2, Environment.ProcessorCount);

    [Fact]
    public async Task OnnxBackendSuite_ServedThroughKServeRest_MatchesOnnxRuntime()
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
        var repository = new TestRepository();
        var models = new List<OrtReferenceModel>();
        try
        {
            foreach (var c in batch)
            {
                var model = new OrtReferenceModel(c.Case.ModelName, c.Model);
                models.Add(model);
                repository.Add(model);
            }

            await using var server = await KServeTestServer.StartAsync(repository);
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (c, _) =>
            {
                var failure = await CheckAsync(server, c);
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
        finally
        {
            foreach (var model in models)
            {
                model.Dispose();
            }
        }
    }

    private static async Task<string?> CheckAsync(KServeTestServer server, PreparedCase c)
    {
        foreach (var dataSet in c.DataSets)
        {
            var reply = await KServeRestTestClient.InferBinaryAsync(server.Http, c.Case.ModelName, dataSet.Inputs);
            if (reply.Error is not null)
            {
                return $"{dataSet.Name} KServe REST: HTTP {(int)reply.Status}: {reply.Error}";
            }

            if (Compare(dataSet, reply.Outputs, c.OrtMatchesExpected) is { } difference)
            {
                return $"{dataSet.Name} KServe REST: {difference}";
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
