using System.Text;
using Mantle.Serving.Engine;
using Mantle.Serving.Onnx;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;
using static Mantle.Serving.Tests.Engine.TensorHelpers;

namespace Mantle.Serving.Tests.Engine;

public sealed class OnnxModelTests
{
    public static TheoryData<TensorElementType> NumericTypes => new(
        TensorElementType.Float, TensorElementType.Double, TensorElementType.Float16, TensorElementType.BFloat16,
        TensorElementType.Int8, TensorElementType.Int16, TensorElementType.Int32, TensorElementType.Int64,
        TensorElementType.UInt8, TensorElementType.UInt16, TensorElementType.UInt32, TensorElementType.UInt64,
        TensorElementType.Bool);

    [Theory]
    [MemberData(nameof(NumericTypes))]
    public async Task Identity_EveryNumericType_RoundTripsBytesAndShape(TensorElementType type)
    {
        using var model = OnnxModel.Load("id", 1, TestModels.Identity(type));
        var size = TensorElementTypes.SizeInBytes(type);
        var data = new byte[3 * 2 * size];
        Random.Shared.NextBytes(data);
        if (type == TensorElementType.Bool)
        {
            for (var i = 0; i < data.Length; i++)
            {
                data[i] &= 1;
            }
        }

        using var result = await model.InferAsync(new InferenceRequest([InferenceTensor.FromBytes("x", type, [3, 2], data)]));

        Assert.Null(result.Error);
        var output = Assert.Single(result.Outputs);
        Assert.Equal("y", output.Name);
        Assert.Equal(type, output.ElementType);
        Assert.Equal([3L, 2L], output.Shape);
        Assert.Equal(data, output.Data.ToArray());
    }

    [Fact]
    public async Task Identity_StringTensor_RoundTripsEveryElement()
    {
        using var model = OnnxModel.Load("id", 1, TestModels.Identity(TensorElementType.String));
        string[] values = ["alpha", "", "γειά", "z"];
        var strings = values.Select(v => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(v)).ToArray();

        using var result = await model.InferAsync(new InferenceRequest([InferenceTensor.FromStrings("x", [2, 2], strings)]));

        Assert.Null(result.Error);
        var output = Assert.Single(result.Outputs);
        Assert.Equal(TensorElementType.String, output.ElementType);
        Assert.Equal(values, output.Strings!.Select(s => Encoding.UTF8.GetString(s.Span)));
    }

    [Fact]
    public void Signature_DynamicAndFixedDimensions_AreReportedWithMinusOne()
    {
        using var model = OnnxModel.Load("mm", 7, TestModels.MatMulAdd());

        var input = Assert.Single(model.Signature.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(TensorElementType.Float, input.ElementType);
        Assert.Equal([-1L, 3L], input.Shape);
        Assert.Equal(["y", "z"], model.Signature.Outputs.Select(o => o.Name));
        Assert.Equal(7, model.Version);
        Assert.Equal("onnxruntime_onnx", model.Platform);
    }

    [Fact]
    public async Task MatMulAdd_TwoRows_ComputesEveryRow()
    {
        using var model = OnnxModel.Load("mm", 1, TestModels.MatMulAdd());

        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [2, 3], 1, 2, 3, -1, 0, 0.5f)]));

        Assert.Null(result.Error);
        Assert.Equal([.. TestModels.MatMulAddRow(1, 2, 3), .. TestModels.MatMulAddRow(-1, 0, 0.5f)], ToFloats(result.Outputs[0]));
    }

    [Fact]
    public async Task Infer_OutputNamesGiven_ReturnsOnlyThoseInThatOrder()
    {
        using var model = OnnxModel.Load("mm", 1, TestModels.MatMulAdd());

        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [1, 3], 1, 2, 3)], ["z"]));

        var output = Assert.Single(result.Outputs);
        Assert.Equal("z", output.Name);
        Assert.Equal([1f, 2, 3], ToFloats(output));
    }

    [Fact]
    public async Task Infer_ZeroRows_ReturnsEmptyOutput()
    {
        using var model = OnnxModel.Load("mm", 1, TestModels.MatMulAdd());

        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [0, 3])]));

        Assert.Null(result.Error);
        Assert.Equal([0L, 2L], result.Outputs[0].Shape);
        Assert.True(result.Outputs[0].Data.IsEmpty);
    }

    [Theory]
    [InlineData("unknown", "Unknown input 'w'", "inputs are: a, b")]
    [InlineData("missing", "Missing input 'b'", "float [-1,4]")]
    [InlineData("dtype", "Input 'a' has dtype int32, expected float", "")]
    [InlineData("rank", "Input 'a' has shape [8] (rank 1), expected rank 2", "[-1,4]")]
    [InlineData("dimension", "dimension 1 is 3, expected 4", "Input 'a'")]
    [InlineData("bytes", "Input 'a' has 12 bytes of data, but shape [1,4] of float needs 16", "4 elements")]
    [InlineData("duplicate", "Input 'a' is given more than once", "")]
    [InlineData("negative", "negative dimension -2", "Input 'a'")]
    [InlineData("output", "Unknown output 'nope'", "sum")]
    public async Task Infer_BadRequest_FailsWithInvalidArgumentNamingTheInput(string problem, string expected, string alsoExpected)
    {
        using var model = OnnxModel.Load("add", 1, TestModels.Add());
        var a = Floats("a", [1, 4], 1, 2, 3, 4);
        var b = Floats("b", [1, 4], 1, 2, 3, 4);
        var request = problem switch
        {
            "unknown" => new InferenceRequest([a, b, Floats("w", [1], 1)]),
            "missing" => new InferenceRequest([a]),
            "dtype" => new InferenceRequest([InferenceTensor.FromBytes("a", TensorElementType.Int32, [1, 4], new byte[16]), b]),
            "rank" => new InferenceRequest([Floats("a", [8], 1, 2, 3, 4, 5, 6, 7, 8), b]),
            "dimension" => new InferenceRequest([Floats("a", [1, 3], 1, 2, 3), b]),
            "bytes" => new InferenceRequest([InferenceTensor.FromBytes("a", TensorElementType.Float, [1, 4], new byte[12]), b]),
            "duplicate" => new InferenceRequest([a, a, b]),
            "negative" => new InferenceRequest([Floats("a", [-2, 4]), b]),
            _ => new InferenceRequest([a, b], ["nope"]),
        };

        using var result = await model.InferAsync(request);

        Assert.NotNull(result.Error);
        Assert.Equal(ServingErrorCode.InvalidArgument, result.Error.Code);
        Assert.Contains(expected, result.Error.Message, StringComparison.Ordinal);
        Assert.Contains(alsoExpected, result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Outputs);
    }

    [Fact]
    public async Task Infer_DynamicDimensionsDisagreeInsideTheGraph_FailsWithoutThrowing()
    {
        using var model = OnnxModel.Load("add", 1, TestModels.Add());

        using var result = await model.InferAsync(new InferenceRequest([Floats("a", [2, 4], new float[8]), Floats("b", [3, 4], new float[12])]));

        Assert.NotNull(result.Error);
        Assert.Contains("model 'add'", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BytesThatAreNotAModel_ThrowsModelLoadExceptionNamingTheModel()
    {
        var ex = Assert.Throws<ModelLoadException>(() => OnnxModel.Load("broken", 3, Encoding.ASCII.GetBytes("this is not an ONNX model")));

        Assert.Contains("'broken' version 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_AfterDispose_FailsWithUnavailable()
    {
        var model = OnnxModel.Load("mm", 1, TestModels.MatMulAdd());
        model.Dispose();

        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [1, 3], 1, 2, 3)]));

        Assert.Equal(ServingErrorCode.Unavailable, result.Error?.Code);
    }

    [Fact]
    public async Task Infer_OutputsOutliveModelDispose_StayReadableUntilResultDispose()
    {
        var model = OnnxModel.Load("mm", 1, TestModels.MatMulAdd());
        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [1, 3], 1, 2, 3)]));
        model.Dispose();

        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), ToFloats(result.Outputs[0]));
    }

    [Fact]
    public async Task ResNet18_OneImage_Returns1000Scores()
    {
        using var model = OnnxModel.Load("resnet", 1, await File.ReadAllBytesAsync(TestModels.ResNet18Path), new OnnxModelOptions { IntraOpThreads = 1 });
        var input = Assert.Single(model.Signature.Inputs);
        var shape = input.Shape.Select(d => d < 0 ? 1 : d).ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);

        using var result = await model.InferAsync(new InferenceRequest([InferenceTensor.FromBytes(input.Name, TensorElementType.Float, shape, new byte[count * 4])]));

        Assert.Null(result.Error);
        Assert.Equal(1, result.Outputs[0].Shape[0]);
        Assert.True(result.Outputs[0].ElementCount >= 512);
    }

    [Fact]
    public async Task Infer_BadRequests_MessagesNeverEchoTensorData()
    {
        using var model = OnnxModel.Load("id", 1, TestModels.Identity(TensorElementType.String));
        var secret = Encoding.UTF8.GetBytes("PAYLOAD-SECRET");
        InferenceRequest[] requests =
        [
            new([InferenceTensor.FromStrings("x", [1, 3], [secret])]),
            new([InferenceTensor.FromBytes("x", TensorElementType.UInt8, [1, 2], secret)]),
            new([InferenceTensor.FromBytes("x", TensorElementType.Float, [1, 2], secret)]),
        ];

        foreach (var request in requests)
        {
            using var result = await model.InferAsync(request);
            Assert.NotNull(result.Error);
            Assert.DoesNotContain("PAYLOAD-SECRET", result.Error.Message, StringComparison.Ordinal);
        }
    }
}
