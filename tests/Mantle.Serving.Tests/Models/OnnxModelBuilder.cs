using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Models;

/// <summary>
/// Writes small ONNX models (ModelProto) for tests, field by field with <see cref="CodedOutputStream"/>.
/// Field numbers follow onnx.proto. A dimension of -1 becomes a symbolic dimension ("N").
/// </summary>
public sealed class OnnxModelBuilder
{
    private readonly List<byte[]> _inputs = [];
    private readonly List<byte[]> _outputs = [];
    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _initializers = [];

    public int OpsetVersion { get; set; } = 17;

    /// <summary>
    /// y = x + [1, 2, 3, 4] over a dynamic batch of 4-wide float rows: distinguishes a model that ran from one that
    /// echoed its input.
    /// </summary>
    public static byte[] Adder() => new OnnxModelBuilder()
        .Input("x", TensorElementType.Float, -1, 4)
        .FloatInitializer("b", [4], [1f, 2f, 3f, 4f])
        .Output("y", TensorElementType.Float, -1, 4)
        .Node("Add", ["x", "b"], ["y"])
        .Build();

    public OnnxModelBuilder Input(string name, TensorElementType type, params long[] dims)
    {
        _inputs.Add(ValueInfo(name, type, dims));
        return this;
    }

    public OnnxModelBuilder Output(string name, TensorElementType type, params long[] dims)
    {
        _outputs.Add(ValueInfo(name, type, dims));
        return this;
    }

    public OnnxModelBuilder Node(string opType, string[] inputs, string[] outputs, params (string Name, long Value)[] intAttributes)
    {
        _nodes.Add(Message(w =>
        {
            foreach (var input in inputs)
            {
                w.WriteTag(1, WireFormat.WireType.LengthDelimited);
                w.WriteString(input);
            }

            foreach (var output in outputs)
            {
                w.WriteTag(2, WireFormat.WireType.LengthDelimited);
                w.WriteString(output);
            }

            w.WriteTag(3, WireFormat.WireType.LengthDelimited);
            w.WriteString(opType + "_" + _nodes.Count);
            w.WriteTag(4, WireFormat.WireType.LengthDelimited);
            w.WriteString(opType);
            foreach (var (name, value) in intAttributes)
            {
                var attribute = Message(a =>
                {
                    a.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    a.WriteString(name);
                    a.WriteTag(3, WireFormat.WireType.Varint);
                    a.WriteInt64(value);
                    a.WriteTag(20, WireFormat.WireType.Varint);
                    a.WriteInt32(2);
                });
                w.WriteTag(5, WireFormat.WireType.LengthDelimited);
                w.WriteBytes(ByteString.CopyFrom(attribute));
            }
        }));
        return this;
    }

    public OnnxModelBuilder FloatInitializer(string name, long[] dims, float[] values)
    {
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        _initializers.Add(Message(w =>
        {
            foreach (var dim in dims)
            {
                w.WriteTag(1, WireFormat.WireType.Varint);
                w.WriteInt64(dim);
            }

            w.WriteTag(2, WireFormat.WireType.Varint);
            w.WriteInt32((int)TensorElementType.Float);
            w.WriteTag(8, WireFormat.WireType.LengthDelimited);
            w.WriteString(name);
            w.WriteTag(9, WireFormat.WireType.LengthDelimited);
            w.WriteBytes(ByteString.CopyFrom(raw));
        }));
        return this;
    }

    public byte[] Build() => Message(w =>
    {
        w.WriteTag(1, WireFormat.WireType.Varint);
        w.WriteInt64(8);
        w.WriteTag(2, WireFormat.WireType.LengthDelimited);
        w.WriteString("mantle-tests");
        var graph = Message(g =>
        {
            foreach (var node in _nodes)
            {
                g.WriteTag(1, WireFormat.WireType.LengthDelimited);
                g.WriteBytes(ByteString.CopyFrom(node));
            }

            g.WriteTag(2, WireFormat.WireType.LengthDelimited);
            g.WriteString("graph");
            foreach (var initializer in _initializers)
            {
                g.WriteTag(5, WireFormat.WireType.LengthDelimited);
                g.WriteBytes(ByteString.CopyFrom(initializer));
            }

            foreach (var input in _inputs)
            {
                g.WriteTag(11, WireFormat.WireType.LengthDelimited);
                g.WriteBytes(ByteString.CopyFrom(input));
            }

            foreach (var output in _outputs)
            {
                g.WriteTag(12, WireFormat.WireType.LengthDelimited);
                g.WriteBytes(ByteString.CopyFrom(output));
            }
        });
        w.WriteTag(7, WireFormat.WireType.LengthDelimited);
        w.WriteBytes(ByteString.CopyFrom(graph));
        var opset = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(string.Empty);
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt64(OpsetVersion);
        });
        w.WriteTag(8, WireFormat.WireType.LengthDelimited);
        w.WriteBytes(ByteString.CopyFrom(opset));
    });

    private static byte[] ValueInfo(string name, TensorElementType type, long[] dims) => Message(w =>
    {
        w.WriteTag(1, WireFormat.WireType.LengthDelimited);
        w.WriteString(name);
        var shape = Message(s =>
        {
            var symbol = 0;
            foreach (var dim in dims)
            {
                var dimension = Message(d =>
                {
                    if (dim >= 0)
                    {
                        d.WriteTag(1, WireFormat.WireType.Varint);
                        d.WriteInt64(dim);
                    }
                    else
                    {
                        d.WriteTag(2, WireFormat.WireType.LengthDelimited);
                        d.WriteString(symbol++ == 0 ? "N" : "D" + symbol);
                    }
                });
                s.WriteTag(1, WireFormat.WireType.LengthDelimited);
                s.WriteBytes(ByteString.CopyFrom(dimension));
            }
        });
        var tensorType = Message(t =>
        {
            t.WriteTag(1, WireFormat.WireType.Varint);
            t.WriteInt32((int)type);
            t.WriteTag(2, WireFormat.WireType.LengthDelimited);
            t.WriteBytes(ByteString.CopyFrom(shape));
        });
        var typeProto = Message(t =>
        {
            t.WriteTag(1, WireFormat.WireType.LengthDelimited);
            t.WriteBytes(ByteString.CopyFrom(tensorType));
        });
        w.WriteTag(2, WireFormat.WireType.LengthDelimited);
        w.WriteBytes(ByteString.CopyFrom(typeProto));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            write(output);
        }

        return stream.ToArray();
    }
}
