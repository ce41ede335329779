using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensorflow;
using Tensorflow.Serving;

namespace Mantle.Serving.Tests.TfServing;

[Collection(TfServingCollection.Name)]
public sealed class TfServingGrpcTests(TfServingServerFixture fixture)
{
    private PredictionService.PredictionServiceClient Prediction => new(fixture.Channel);

    private ModelService.ModelServiceClient Models => new(fixture.Channel);

    public static TheoryData<TensorElementType> NumericTypes()
    {
        var data = new TheoryData<TensorElementType>();
        foreach (var type in TfServingServerFixture.IdentityTypes.Keys.Where(t => t != TensorElementType.String))
        {
            data.Add(type);
        }

        return data;
    }

    private static DataType Dtype(TensorElementType type) =>
        Enum.Parse<DataType>("Dt" + TfServingServerFixture.IdentityTypes[type][3..], ignoreCase: true);

    private static TensorShapeProto Shape(params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dim { Size = d }));
        return shape;
    }

    private static PredictRequest Request(string model, string input, TensorProto tensor)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = model } };
        request.Inputs[input] = tensor;
        return request;
    }

    private static int Size(TensorElementType type) => type switch
    {
        TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Bool => 1,
        TensorElementType.Int16 or TensorElementType.UInt16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        _ => 8,
    };

    [Theory]
    [MemberData(nameof(NumericTypes))]
    public async Task Predict_TensorContent_EveryDtypeRoundTrips(TensorElementType type)
    {
        var bytes = new byte[4 * Size(type)];
        new Random(42 + (int)type).NextBytes(bytes);
        if (type == TensorElementType.Bool)
        {
            bytes = [1, 0, 0, 1];
        }

        var tensor = new TensorProto { Dtype = Dtype(type), TensorShape = Shape(2, 2), TensorContent = ByteString.CopyFrom(bytes) };

        var response = await Prediction.PredictAsync(Request(TfServingServerFixture.IdentityName(type), "x", tensor));

        var y = response.Outputs["y"];
        Assert.Equal(Dtype(type), y.Dtype);
        Assert.Equal([2L, 2L], y.TensorShape.Dim.Select(d => d.Size));
        Assert.Equal(bytes, y.TensorContent.ToByteArray());
        Assert.Equal(TfServingServerFixture.IdentityName(type), response.ModelSpec.Name);
        Assert.Equal(1L, response.ModelSpec.Version);
    }

    [Theory]
    [MemberData(nameof(NumericTypes))]
    public async Task Predict_TypedValues_EveryDtypeRoundTrips(TensorElementType type)
    {
        var (tensor, expected) = Typed(type);
        tensor.TensorShape = Shape(2, 2);

        var response = await Prediction.PredictAsync(Request(TfServingServerFixture.IdentityName(type), "x", tensor));

        Assert.Equal(expected, response.Outputs["y"].TensorContent.ToByteArray());
    }

    [Fact]
    public async Task Predict_SingleTypedValue_FillsTheShape()
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(3, 2) };
        tensor.FloatVal.Add(7.25f);

        var response = await Prediction.PredictAsync(Request("id_float", "x", tensor));

        var content = response.Outputs["y"].TensorContent.ToByteArray();
        Assert.Equal(24, content.Length);
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal(7.25f, BinaryPrimitives.ReadSingleLittleEndian(content.AsSpan(i * 4))));
    }

    [Fact]
    public async Task Predict_Strings_UseStringVal()
    {
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = Shape(1, 2) };
        tensor.StringVal.Add(ByteString.CopyFromUtf8("héllo"));
        tensor.StringVal.Add(ByteString.CopyFromUtf8(string.Empty));

        var response = await Prediction.PredictAsync(Request("id_string", "x", tensor));

        var y = response.Outputs["y"];
        Assert.Equal(DataType.DtString, y.Dtype);
        Assert.True(y.TensorContent.IsEmpty);
        Assert.Equal(["héllo", string.Empty], y.StringVal.Select(s => s.ToStringUtf8()));
    }

    [Fact]
    public async Task Predict_OutputFilter_ReturnsOnlyThoseOutputs()
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(1, 3) };
        tensor.FloatVal.Add([1, 2, 3]);
        var request = Request("mm", "x", tensor);
        request.OutputFilter.Add("y");

        var response = await Prediction.PredictAsync(request);

        Assert.Equal(["y"], response.Outputs.Keys);
        var y = response.Outputs["y"].TensorContent.ToByteArray();
        Assert.Equal(Mantle.Serving.Tests.Models.TestModels.MatMulAddRow(1, 2, 3), new[] { BinaryPrimitives.ReadSingleLittleEndian(y), BinaryPrimitives.ReadSingleLittleEndian(y.AsSpan(4)) });
    }

    [Theory]
    [InlineData(null, null, 2L)]
    [InlineData(1L, null, 1L)]
    [InlineData(null, "stable", 1L)]
    [InlineData(null, "canary", 2L)]
    public async Task Predict_VersionChoice_ResponseNamesTheServedVersion(long? version, string? label, long served)
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(1, 3) };
        tensor.FloatVal.Add(1);
        var request = Request("mm", "x", tensor);
        if (version is not null)
        {
            request.ModelSpec.Version = version;
        }

        if (label is not null)
        {
            request.ModelSpec.VersionLabel = label;
        }

        var response = await Prediction.PredictAsync(request);

        Assert.Equal("mm", response.ModelSpec.Name);
        Assert.Equal(served, response.ModelSpec.Version);
        Assert.Equal("serving_default", response.ModelSpec.SignatureName);
    }

    [Fact]
    public async Task GetModelMetadata_ReturnsSignatureDefWithDynamicDims()
    {
        var request = new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = "mm", Version = 1 } };
        request.MetadataField.Add("signature_def");

        var response = await Prediction.GetModelMetadataAsync(request);

        Assert.Equal(1L, response.ModelSpec.Version);
        var map = response.Metadata["signature_def"].Unpack<SignatureDefMap>();
        var signature = map.SignatureDef["serving_default"];
        Assert.Equal("tensorflow/serving/predict", signature.MethodName);
        Assert.Equal(DataType.DtFloat, signature.Inputs["x"].Dtype);
        Assert.Equal([-1L, 3L], signature.Inputs["x"].TensorShape.Dim.Select(d => d.Size));
        Assert.Equal([-1L, 2L], signature.Outputs["y"].TensorShape.Dim.Select(d => d.Size));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("signature_defs")]
    public async Task GetModelMetadata_MissingOrUnknownField_IsInvalidArgument(string? field)
    {
        var request = new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = "mm" } };
        if (field is not null)
        {
            request.MetadataField.Add(field);
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => Prediction.GetModelMetadataAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("signature_def", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetModelStatus_AllVersions_ReportsAvailableWithOkStatus()
    {
        var response = await Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "mm" } });

        Assert.Equal([1L, 2L], response.ModelVersionStatus.Select(s => s.Version).Order());
        Assert.All(response.ModelVersionStatus, s =>
        {
            Assert.Equal(Tensorflow.Serving.ModelVersionStatus.Types.State.Available, s.State);
            Assert.Equal(Tensorflow.Error.Code.Ok, s.Status.ErrorCode);
        });
    }

    [Theory]
    [InlineData(2L, null, 2L)]
    [InlineData(null, "stable", 1L)]
    public async Task GetModelStatus_VersionOrLabel_ReportsThatVersion(long? version, string? label, long expected)
    {
        var spec = new ModelSpec { Name = "mm" };
        if (version is not null)
        {
            spec.Version = version;
        }

        if (label is not null)
        {
            spec.VersionLabel = label;
        }

        var response = await Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = spec });

        Assert.Equal(expected, Assert.Single(response.ModelVersionStatus).Version);
    }

    [Fact]
    public async Task GetModelStatus_UnknownModel_IsNotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "nosuch" } }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("nosuch", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsupportedMethods_AreUnimplementedWithClearMessage()
    {
        var spec = new ModelSpec { Name = "mm" };
        var classify = await Assert.ThrowsAsync<RpcException>(() => Prediction.ClassifyAsync(new ClassificationRequest { ModelSpec = spec }).ResponseAsync);
        var regress = await Assert.ThrowsAsync<RpcException>(() => Prediction.RegressAsync(new RegressionRequest { ModelSpec = spec }).ResponseAsync);
        var multi = await Assert.ThrowsAsync<RpcException>(() => Prediction.MultiInferenceAsync(new MultiInferenceRequest()).ResponseAsync);
        var reload = await Assert.ThrowsAsync<RpcException>(() => Models.HandleReloadConfigRequestAsync(new ReloadConfigRequest()).ResponseAsync);

        Assert.All([classify, regress, multi, reload], ex => Assert.Equal(StatusCode.Unimplemented, ex.StatusCode));
        Assert.Contains("use Predict", classify.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("MultiInference is not supported", multi.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("model_config_file", reload.Status.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, StatusCode, string> BadRequests() => new()
    {
        { "unknown-model", StatusCode.NotFound, "nosuch" },
        { "unknown-version", StatusCode.NotFound, "9" },
        { "no-model-spec", StatusCode.InvalidArgument, "Missing ModelSpec" },
        { "wrong-dtype", StatusCode.InvalidArgument, "input 'x' has dtype DT_INT32 but the model expects DT_FLOAT" },
        { "content-length", StatusCode.InvalidArgument, "tensor_content has 10 bytes but shape [2,3] of DT_FLOAT needs 24 bytes" },
        { "value-count", StatusCode.InvalidArgument, "needs 6 values" },
        { "values-in-wrong-field", StatusCode.InvalidArgument, "DT_FLOAT values go in float_val" },
        { "shape", StatusCode.InvalidArgument, "'x'" },
        { "unknown-input", StatusCode.InvalidArgument, "input tensor alias not found in signature: q" },
        { "unknown-output", StatusCode.InvalidArgument, "output tensor alias not found in signature: w" },
        { "signature", StatusCode.FailedPrecondition, "Serving signature key \"other\" not found" },
        { "negative-dim", StatusCode.InvalidArgument, "dimension 0 of size -1" },
        { "unsupported-dtype", StatusCode.InvalidArgument, "DT_VARIANT" },
        { "int-range", StatusCode.InvalidArgument, "out of range for DT_UINT8" },
        { "missing-input", StatusCode.InvalidArgument, "'x'" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Predict_BadRequest_MapsToStatusCodeWithMessage(string kind, StatusCode code, string message)
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(2, 3) };
        tensor.FloatVal.Add([1, 2, 3, 4, 5, 6]);
        var request = Request("mm", "x", tensor);
        switch (kind)
        {
            case "unknown-model": request.ModelSpec.Name = "nosuch"; break;
            case "unknown-version": request.ModelSpec.Version = 9; break;
            case "no-model-spec": request.ModelSpec = null; break;
            case "wrong-dtype": tensor.Dtype = DataType.DtInt32; break;
            case "content-length": tensor.TensorContent = ByteString.CopyFrom(new byte[10]); break;
            case "value-count": tensor.FloatVal.RemoveAt(0); break;
            case "values-in-wrong-field": tensor.FloatVal.Clear(); tensor.DoubleVal.Add([1, 2, 3, 4, 5, 6]); break;
            case "shape": tensor.TensorShape = Shape(3, 2); break;
            case "unknown-input": request.Inputs.Add("q", tensor); break;
            case "unknown-output": request.OutputFilter.Add("w"); break;
            case "signature": request.ModelSpec.SignatureName = "other"; break;
            case "negative-dim": tensor.TensorShape = Shape(-1, 3); break;
            case "unsupported-dtype": request = Request("mm", "x", new TensorProto { Dtype = DataType.DtVariant }); break;
            case "missing-input": request.Inputs.Clear(); break;
            case "int-range":
                var bad = new TensorProto { Dtype = DataType.DtUint8, TensorShape = Shape(1, 2) };
                bad.IntVal.Add([1, 300]);
                request = Request("id_uint8", "x", bad);
                break;
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => Prediction.PredictAsync(request).ResponseAsync);

        Assert.Equal(code, ex.StatusCode);
        Assert.Contains(message, ex.Status.Detail, StringComparison.Ordinal);
    }

    private static (TensorProto Tensor, byte[] Expected) Typed(TensorElementType type)
    {
        var tensor = new TensorProto { Dtype = Dtype(type) };
        var expected = new byte[4 * Size(type)];
        var span = expected.AsSpan();
        switch (type)
        {
            case TensorElementType.Float:
                float[] f = [1.5f, -2, float.NaN, float.PositiveInfinity];
                tensor.FloatVal.Add(f);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], f[i]); }
                break;
            case TensorElementType.Double:
                double[] d = [1.5, -2, 1e300, double.NegativeInfinity];
                tensor.DoubleVal.Add(d);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteDoubleLittleEndian(span[(i * 8)..], d[i]); }
                break;
            case TensorElementType.Float16:
            case TensorElementType.BFloat16:
                int[] h = [0x3E00, 0xC000, 0x7C00, 0x0001];
                tensor.HalfVal.Add(h);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteUInt16LittleEndian(span[(i * 2)..], (ushort)h[i]); }
                break;
            case TensorElementType.Int8:
                tensor.IntVal.Add([-128, 127, 0, -1]);
                expected = [0x80, 0x7F, 0, 0xFF];
                break;
            case TensorElementType.UInt8:
                tensor.IntVal.Add([0, 255, 1, 2]);
                expected = [0, 255, 1, 2];
                break;
            case TensorElementType.Int16:
                int[] s16 = [-32768, 32767, 0, -1];
                tensor.IntVal.Add(s16);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteInt16LittleEndian(span[(i * 2)..], (short)s16[i]); }
                break;
            case TensorElementType.UInt16:
                int[] u16 = [0, 65535, 1, 2];
                tensor.IntVal.Add(u16);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteUInt16LittleEndian(span[(i * 2)..], (ushort)u16[i]); }
                break;
            case TensorElementType.Int32:
                int[] s32 = [int.MinValue, int.MaxValue, 0, -1];
                tensor.IntVal.Add(s32);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteInt32LittleEndian(span[(i * 4)..], s32[i]); }
                break;
            case TensorElementType.UInt32:
                uint[] u32 = [0, uint.MaxValue, 1, 2];
                tensor.Uint32Val.Add(u32);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteUInt32LittleEndian(span[(i * 4)..], u32[i]); }
                break;
            case TensorElementType.Int64:
                long[] s64 = [long.MinValue, long.MaxValue, 0, -1];
                tensor.Int64Val.Add(s64);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteInt64LittleEndian(span[(i * 8)..], s64[i]); }
                break;
            case TensorElementType.UInt64:
                ulong[] u64 = [0, ulong.MaxValue, 1, 2];
                tensor.Uint64Val.Add(u64);
                for (var i = 0; i < 4; i++) { BinaryPrimitives.WriteUInt64LittleEndian(span[(i * 8)..], u64[i]); }
                break;
            case TensorElementType.Bool:
                tensor.BoolVal.Add([true, false, false, true]);
                expected = [1, 0, 0, 1];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }

        return (tensor, expected);
    }
}
