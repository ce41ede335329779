using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Mantle.Client.Tensors;

/// <summary>Reads and writes NumPy <c>.npy</c> files (format versions 1, 2 and 3; little-endian, C order).</summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a tensor from <c>.npy</c> bytes.</summary>
    /// <exception cref="FormatException">The bytes are not a supported <c>.npy</c> array; the message says why.</exception>
    public static ClientTensor Read(string name, ReadOnlySpan<byte> npy)
    {
        if (npy.Length < 10 || !npy[..6].SequenceEqual(Magic))
        {
            throw new FormatException("Not a .npy file: the magic string \\x93NUMPY is missing.");
        }

        var major = npy[6];
        int headerLength, offset;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(npy[8..]);
                offset = 10;
                break;
            case 2 or 3:
                if (npy.Length < 12)
                {
                    throw new FormatException("Truncated .npy header.");
                }

                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(npy[8..]));
                offset = 12;
                break;
            default:
                throw new FormatException($".npy format version {major} is not supported (1, 2 and 3 are).");
        }

        if (npy.Length < offset + headerLength)
        {
            throw new FormatException("Truncated .npy header.");
        }

        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(npy.Slice(offset, headerLength));
        var descr = HeaderField(header, "descr", @"'([^']*)'");
        var fortran = HeaderField(header, "fortran_order", @"(True|False)");
        var shapeText = HeaderField(header, "shape", @"\(([^)]*)\)");
        if (fortran == "True")
        {
            throw new FormatException(".npy arrays in Fortran order are not supported; save the array with numpy.ascontiguousarray first.");
        }

        if (!TensorDataTypes.TryParseNumpy(descr, out var dataType))
        {
            throw new FormatException($".npy dtype '{descr}' is not supported: use a little-endian bool, integer or float dtype.");
        }

        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture))
            .ToArray();
        var data = npy[(offset + headerLength)..];
        var expected = ClientTensor.ElementCountOf(shape) * TensorDataTypes.SizeOf(dataType.Value);
        if (data.Length != expected)
        {
            throw new FormatException($".npy data has {data.Length} bytes; shape ({shapeText}) of {descr} needs {expected}.");
        }

        return new ClientTensor(name, dataType.Value, shape, data.ToArray());
    }

    /// <summary>Writes a numeric or bool tensor as a version 1.0 <c>.npy</c> file.</summary>
    public static byte[] Write(ClientTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var descr = TensorDataTypes.ToNumpyDescriptor(tensor.DataType);
        if (descr.Length == 0)
        {
            throw new NotSupportedException($"NumPy has no dtype for {tensor.DataType}; use JSON output instead.");
        }

        var shape = tensor.Shape.Length == 1
            ? $"({tensor.Shape[0]},)"
            : "(" + string.Join(", ", tensor.Shape) + ")";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        var unpadded = 10 + dict.Length + 1;
        var padding = (64 - (unpadded % 64)) % 64;
        var header = dict + new string(' ', padding) + "\n";

        var result = new byte[10 + header.Length + tensor.Data.Length];
        Magic.CopyTo(result, 0);
        result[6] = 1;
        result[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header, result.AsSpan(10));
        tensor.Data.CopyTo(result, 10 + header.Length);
        return result;
    }

    private static string HeaderField(string header, string key, string valuePattern)
    {
        var match = Regex.Match(header, $"'{key}'\\s*:\\s*{valuePattern}", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return match.Success
            ? match.Groups[1].Value
            : throw new FormatException($".npy header has no '{key}' field.");
    }
}
