using Onnx;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>One case of ONNX's backend test data: a model and its data sets of inputs and expected outputs.</summary>
internal sealed class OnnxTestCase
{
    public const string DefaultRoot = "/usr/share/libonnx-testdata/data";

    private OnnxTestCase(string suite, string directory)
    {
        Suite = suite;
        Directory = directory;
        Name = Path.GetFileName(directory);
    }

    public string Suite { get; }

    public string Directory { get; }

    public string Name { get; }

    /// <summary>A model name usable in URLs: the suite and the case name.</summary>
    public string ModelName => $"{Suite}.{Name}";

    public string ModelPath => Path.Combine(Directory, "model.onnx");

    public IEnumerable<string> DataSets =>
        System.IO.Directory.EnumerateDirectories(Directory, "test_data_set_*").Order(StringComparer.Ordinal);

    /// <summary>The test data root: <c>MANTLE_ONNX_TESTDATA</c>, else the Debian package's folder.</summary>
    public static string Root => Environment.GetEnvironmentVariable("MANTLE_ONNX_TESTDATA") is { Length: > 0 } root ? root : DefaultRoot;

    /// <summary>The cases of the suites the serving conformance covers (node and pytorch-converted).</summary>
    public static IReadOnlyList<OnnxTestCase> Discover(string root)
    {
        var cases = new List<OnnxTestCase>();
        foreach (var suite in new[] { "node", "pytorch-converted" })
        {
            var folder = Path.Combine(root, suite);
            if (!System.IO.Directory.Exists(folder))
            {
                continue;
            }

            foreach (var directory in System.IO.Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(directory, "model.onnx")))
                {
                    cases.Add(new OnnxTestCase(suite, directory));
                }
            }
        }

        return cases;
    }

    /// <summary>
    /// Why the serving protocols cannot carry this case (a sequence, map or optional value, or a data
    /// type they lack), from the model's declared graph inputs and outputs; null when they can.
    /// </summary>
    public static string? ProtocolSkipReason(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var value in model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Concat(model.Graph.Output))
        {
            var type = value.Type;
            if (type is null)
            {
                continue;
            }

            switch (type.ValueCase)
            {
                case TypeProto.ValueOneofCase.SequenceType:
                case TypeProto.ValueOneofCase.MapType:
                case TypeProto.ValueOneofCase.OptionalType:
                    return ConformanceSkip.NonTensor;
                case TypeProto.ValueOneofCase.SparseTensorType:
                    return ConformanceSkip.Sparse;
                case TypeProto.ValueOneofCase.TensorType when !OnnxTypes.InProtocol(type.TensorType.ElemType):
                    return ConformanceSkip.DataType(OnnxTypes.Name(type.TensorType.ElemType));
            }
        }

        return null;
    }
}
