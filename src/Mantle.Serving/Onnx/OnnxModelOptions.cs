using Microsoft.ML.OnnxRuntime;

namespace Mantle.Serving.Onnx;

/// <summary>How ONNX Runtime sessions are created for served models.</summary>
public sealed class OnnxModelOptions
{
    /// <summary>
    /// Threads used inside one operator (config key <c>intra_op_threads</c>). 0 lets ONNX Runtime
    /// choose (one per physical core). Defaults to 0.
    /// </summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Threads used to run independent operators in parallel (config key <c>inter_op_threads</c>);
    /// only used when <see cref="ParallelExecution"/> is set. 0 lets ONNX Runtime choose. Defaults to 0.
    /// </summary>
    public int InterOpThreads { get; set; }

    /// <summary>
    /// Lets ONNX Runtime's intra-op threads spin while waiting for work. Spinning threads take CPU from
    /// the request threads of a server; on a machine with few cores serving concurrent requests that
    /// costs more than it saves (measured with <c>serving-load</c> in bench/). Defaults to false.
    /// </summary>
    public bool IntraOpSpinning { get; set; }

    /// <summary>Runs independent graph branches in parallel (ORT_PARALLEL). Defaults to false (sequential).</summary>
    public bool ParallelExecution { get; set; }

    /// <summary>The graph optimization level. Defaults to <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Checks the values; returns one message per problem, naming the option.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (IntraOpThreads < 0)
        {
            problems.Add($"intra_op_threads must be 0 (automatic) or positive, not {IntraOpThreads}.");
        }

        if (InterOpThreads < 0)
        {
            problems.Add($"inter_op_threads must be 0 (automatic) or positive, not {InterOpThreads}.");
        }

        return problems;
    }

    /// <summary>Creates ONNX Runtime session options with these settings; the caller disposes them.</summary>
    public SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = OptimizationLevel,
            ExecutionMode = ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = InterOpThreads,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", IntraOpSpinning ? "1" : "0");
        return options;
    }
}
