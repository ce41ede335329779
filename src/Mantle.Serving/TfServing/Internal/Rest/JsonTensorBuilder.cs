using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using Mantle.Serving.Engine;
using Mantle.Serving.Protocol.Internal;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.TfServing.Internal.Rest;

/// <summary>
/// Builds one input tensor from JSON values (nested lists of numbers, booleans, strings or
/// <c>{"b64": …}</c> objects): infers the shape from the nesting, checks that it is dense, and writes
/// the values straight into a pooled buffer of the input's element type. String values that need no
/// unescaping point into the request body.
/// </summary>
internal sealed class JsonTensorBuilder : IDisposable
{
    private readonly byte[] _body;
    private readonly int _elementSize;
    private readonly List<long> _dims = [];
    private readonly List<ReadOnlyMemory<byte>>? _strings;
    private byte[] _buffer = [];
    private int _length;
    private int _rank = -1;
    private int _maxArrayDepth = -1;
    private long _count;

    public JsonTensorBuilder(string name, TensorElementType type, byte[] body)
    {
        Name = name;
        Type = type;
        _body = body;
        _elementSize = TfDataTypes.ElementSize(type);
        if (type == TensorElementType.String)
        {
            _strings = [];
        }
    }

    public string Name { get; }

    public TensorElementType Type { get; }

    /// <summary>How many row-format instances supplied a value for this input.</summary>
    public int Instances { get; set; }

    /// <summary>True once any value was read.</summary>
    public bool HasValue { get; private set; }

    /// <summary>Reads one JSON value (the reader is on its first token) at the given nesting level.</summary>
    /// <returns>Null, or what was wrong.</returns>
    public string? ReadValue(ref Utf8JsonReader reader, int depth)
    {
        HasValue = true;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            if (_rank >= 0 && depth >= _rank)
            {
                return $"found a list at level {depth + 1} where values were at level {_rank + 1}; nested lists must be dense";
            }

            long size = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var error = ReadValue(ref reader, depth + 1);
                if (error is not null)
                {
                    return error;
                }

                size++;
            }

            while (_dims.Count <= depth)
            {
                _dims.Add(-1);
            }

            if (_dims[depth] < 0)
            {
                _dims[depth] = size;
            }
            else if (_dims[depth] != size)
            {
                return $"found a list of size {size} at level {depth + 1} where size {_dims[depth]} was expected; nested lists must be dense";
            }

            _maxArrayDepth = Math.Max(_maxArrayDepth, depth);
            return null;
        }

        if (_rank < 0)
        {
            if (_maxArrayDepth >= depth)
            {
                return $"found a value at level {depth + 1} where lists were at level {_maxArrayDepth + 1}; nested lists must be dense";
            }

            _rank = depth;
        }
        else if (depth != _rank)
        {
            return $"found a value at level {depth + 1} where values were at level {_rank + 1}; nested lists must be dense";
        }

        var leafError = AddLeaf(ref reader);
        _count++;
        return leafError;
    }

    /// <summary>Builds the tensor; <paramref name="leadingDim"/> is the instance count in row format.</summary>
    public InferenceTensor Build(long? leadingDim)
    {
        if (leadingDim is not null)
        {
            if (_dims.Count == 0)
            {
                _dims.Add(leadingDim.Value);
            }
            else
            {
                _dims[0] = leadingDim.Value;
            }
        }

        var rank = _rank >= 0 ? _rank : _dims.Count;
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            shape[i] = i < _dims.Count && _dims[i] >= 0 ? _dims[i] : 0;
        }

        return _strings is not null
            ? InferenceTensor.FromStrings(Name, shape, _strings)
            : InferenceTensor.FromBytes(Name, Type, shape, _buffer.AsMemory(0, _length));
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private string? AddLeaf(ref Utf8JsonReader reader)
    {
        var token = reader.TokenType;
        switch (Type)
        {
            case TensorElementType.Float:
            case TensorElementType.Float16:
            case TensorElementType.BFloat16:
                if (!JsonScalars.TryReadFloat(ref reader, Type, out var f))
                {
                    return TypeError(token);
                }

                WriteFloat((float)f);
                return null;
            case TensorElementType.Double:
                if (!JsonScalars.TryReadFloat(ref reader, Type, out var d))
                {
                    return TypeError(token);
                }

                BinaryPrimitives.WriteDoubleLittleEndian(Next(), d);
                return null;
            case TensorElementType.Bool:
                if (token is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return TypeError(token);
                }

                Next()[0] = token == JsonTokenType.True ? (byte)1 : (byte)0;
                return null;
            case TensorElementType.String:
                return AddString(ref reader);
            default:
                return token == JsonTokenType.Number && TryWriteInteger(ref reader) ? null : TypeError(token);
        }
    }

    private bool TryWriteInteger(ref Utf8JsonReader reader)
    {
        switch (Type)
        {
            case TensorElementType.Int8 when reader.TryGetSByte(out var v):
                Next()[0] = (byte)v;
                return true;
            case TensorElementType.UInt8 when reader.TryGetByte(out var v):
                Next()[0] = v;
                return true;
            case TensorElementType.Int16 when reader.TryGetInt16(out var v):
                BinaryPrimitives.WriteInt16LittleEndian(Next(), v);
                return true;
            case TensorElementType.UInt16 when reader.TryGetUInt16(out var v):
                BinaryPrimitives.WriteUInt16LittleEndian(Next(), v);
                return true;
            case TensorElementType.Int32 when reader.TryGetInt32(out var v):
                BinaryPrimitives.WriteInt32LittleEndian(Next(), v);
                return true;
            case TensorElementType.UInt32 when reader.TryGetUInt32(out var v):
                BinaryPrimitives.WriteUInt32LittleEndian(Next(), v);
                return true;
            case TensorElementType.Int64 when reader.TryGetInt64(out var v):
                BinaryPrimitives.WriteInt64LittleEndian(Next(), v);
                return true;
            case TensorElementType.UInt64 when reader.TryGetUInt64(out var v):
                BinaryPrimitives.WriteUInt64LittleEndian(Next(), v);
                return true;
            default:
                return false;
        }
    }

    private void WriteFloat(float value)
    {
        switch (Type)
        {
            case TensorElementType.Float16:
                BinaryPrimitives.WriteUInt16LittleEndian(Next(), BitConverter.HalfToUInt16Bits((Half)value));
                break;
            case TensorElementType.BFloat16:
                BinaryPrimitives.WriteUInt16LittleEndian(Next(), JsonScalars.ToBFloat16(value));
                break;
            default:
                BinaryPrimitives.WriteSingleLittleEndian(Next(), value);
                break;
        }
    }

    private string? AddString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            if (StringValue(ref reader) is not { } value)
            {
                return NotText();
            }

            _strings!.Add(value);
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return TypeError(reader.TokenType);
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("b64"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return "found an object that is not {\"b64\": \"<base64 string>\"}";
        }

        if (StringValue(ref reader) is not { } encoded)
        {
            return NotText();
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
        {
            return "found an object that is not {\"b64\": \"<base64 string>\"}; a b64 object has exactly one key";
        }

        var decoded = JsonScalars.DecodeBase64(encoded.Span);
        if (decoded is null)
        {
            return $"value {_count} is not valid base64 (standard alphabet, padding optional)";
        }

        _strings!.Add(decoded);
        return null;
    }

    /// <summary>The string's UTF-8 bytes (a view of the body when no unescaping is needed); null when it is not UTF-8 text.</summary>
    private ReadOnlyMemory<byte>? StringValue(ref Utf8JsonReader reader)
    {
        // Written out with if: a conditional's null would convert to an empty ReadOnlyMemory through byte[], not to null.
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            if (!Utf8.IsValid(reader.ValueSpan))
            {
                return null;
            }

            return _body.AsMemory(checked((int)reader.TokenStartIndex + 1), reader.ValueSpan.Length);
        }

        if (JsonText.CopyText(ref reader) is not { } copy)
        {
            return null;
        }

        return copy;
    }

    private string NotText() => JsonText.NotText($"value {_count}") + "; send binary data as {\"b64\": \"<base64>\"}";

    private string TypeError(JsonTokenType token)
    {
        var found = token switch
        {
            JsonTokenType.Number => "a number",
            JsonTokenType.String => "a string",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            JsonTokenType.StartObject => "an object",
            _ => token.ToString(),
        };
        var expected = Type switch
        {
            TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Double =>
                "a number in range, NaN, Infinity or -Infinity",
            TensorElementType.Bool => "true or false",
            TensorElementType.Complex64 or TensorElementType.Complex128 => "nothing: complex tensors cannot be carried in JSON; use the gRPC API",
            _ => $"an integer in the range of {TfDataTypes.Name(Type)}",
        };
        return $"value {_count} is {found}, which is not of expected type {TfDataTypes.Name(Type)}; expected {expected}";
    }

    private Span<byte> Next()
    {
        if (_length + _elementSize > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(256, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            Dispose();
            _buffer = bigger;
        }

        var span = _buffer.AsSpan(_length, _elementSize);
        _length += _elementSize;
        return span;
    }
}
