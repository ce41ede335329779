using System.Collections.Concurrent;
using System.Text;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>Counts of the conformance run, printed at the end.</summary>
internal sealed class ConformanceReport
{
    public int Total { get; set; }

    public ConcurrentDictionary<string, ConcurrentBag<string>> Skipped { get; } = new(StringComparer.Ordinal);

    public ConcurrentBag<string> Passed { get; } = [];

    public ConcurrentBag<string> Failures { get; } = [];

    public ConcurrentBag<string> OrtDiffersFromExpected { get; } = [];

    public void Skip(string reason, string name) => Skipped.GetOrAdd(reason, _ => []).Add(name);

    public int Ran => Passed.Count + Failures.Count;

    public string Format(IEnumerable<string> paths)
    {
        var text = new StringBuilder();
        text.AppendLine($"ONNX backend conformance ({string.Join(", ", paths)}): {Total} cases");
        text.AppendLine($"  ran:     {Ran}");
        text.AppendLine($"  passed:  {Passed.Count}");
        text.AppendLine($"  failed:  {Failures.Count}");
        text.AppendLine($"  skipped: {Skipped.Values.Sum(v => v.Count)}");
        foreach (var (reason, names) in Skipped.OrderByDescending(p => p.Value.Count))
        {
            text.AppendLine($"    {names.Count,5}  {reason}: {string.Join(", ", names.Order(StringComparer.Ordinal))}");
        }

        if (!OrtDiffersFromExpected.IsEmpty)
        {
            text.AppendLine($"  of the passed, {OrtDiffersFromExpected.Count} where onnxruntime in-process itself differs from ONNX's expected outputs (served output equals onnxruntime's): {string.Join(", ", OrtDiffersFromExpected.Order(StringComparer.Ordinal))}");
        }

        foreach (var failure in Failures.Order(StringComparer.Ordinal))
        {
            text.AppendLine($"  FAILED {failure}");
        }

        return text.ToString();
    }
}
