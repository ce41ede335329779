namespace Mantle.Cli.Commands.Demo;

/// <summary>What <c>mantle demo</c> was asked to do.</summary>
/// <param name="WorkFolder">Where every file of the demo goes.</param>
/// <param name="ModelPath">The ONNX model to seal and serve.</param>
/// <param name="BenchRequests">Requests per protocol in the benchmark.</param>
/// <param name="BenchDuration">The longest each protocol's benchmark runs.</param>
internal sealed record DemoOptions(string WorkFolder, string ModelPath, int BenchRequests, TimeSpan BenchDuration);
