using System.Buffers;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Onnx.Internal;

/// <summary>Checks request tensors against the model signature and wraps them in OrtValues over the request memory.</summary>
internal static class InputBinder
{
    private static readonly byte[] EmptyBuffer = GC.AllocateArray<byte>(16, pinned: true);

    /// <summary>Returns null when the tensor fits the spec, else the message naming what is wrong.</summary>
    public static string? Validate(InferenceTensor tensor, TensorSpec spec)
    {
        if (tensor.ElementType != spec.ElementType)
        {
            return $"Input '{spec.Name}' has dtype {TensorElementTypes.OnnxName(tensor.ElementType)}, expected {TensorElementTypes.OnnxName(spec.ElementType)}.";
        }

        var shape = tensor.Shape;
        var expected = spec.Shape;
        if (shape.Count != expected.Count)
        {
            return $"Input '{spec.Name}' has shape {TensorElementTypes.FormatShape(shape)} (rank {shape.Count}), expected rank {expected.Count} with shape {TensorElementTypes.FormatShape(expected)} (-1 is any size).";
        }

        for (var i = 0; i < shape.Count; i++)
        {
            if (shape[i] < 0)
            {
                return $"Input '{spec.Name}' has a negative dimension {shape[i]} at index {i} in shape {TensorElementTypes.FormatShape(shape)}.";
            }

            if (expected[i] >= 0 && shape[i] != expected[i])
            {
                return $"Input '{spec.Name}' has shape {TensorElementTypes.FormatShape(shape)}; dimension {i} is {shape[i]}, expected {expected[i]} (model shape {TensorElementTypes.FormatShape(expected)}, -1 is any size).";
            }
        }

        long count;
        try
        {
            count = 1;
            foreach (var dim in shape)
            {
                count = checked(count * dim);
            }
        }
        catch (OverflowException)
        {
            return $"Input '{spec.Name}' has shape {TensorElementTypes.FormatShape(shape)}, whose element count overflows.";
        }

        if (tensor.ElementType == TensorElementType.String)
        {
            var strings = tensor.Strings?.Count ?? 0;
            if (strings != count)
            {
                return $"Input '{spec.Name}' has {strings} strings, but shape {TensorElementTypes.FormatShape(shape)} holds {count} elements.";
            }

            return null;
        }

        var size = TensorElementTypes.SizeInBytes(tensor.ElementType);
        if (size == 0)
        {
            return $"Input '{spec.Name}' has dtype {TensorElementTypes.OnnxName(tensor.ElementType)}, which the server does not carry.";
        }

        long needed;
        try
        {
            needed = checked(count * size);
        }
        catch (OverflowException)
        {
            return $"Input '{spec.Name}' has shape {TensorElementTypes.FormatShape(shape)}, whose byte size overflows.";
        }

        if (tensor.Data.Length != needed)
        {
            return $"Input '{spec.Name}' has {tensor.Data.Length} bytes of data, but shape {TensorElementTypes.FormatShape(shape)} of {TensorElementTypes.OnnxName(tensor.ElementType)} needs {needed} ({count} elements × {size} bytes).";
        }

        return null;
    }

    /// <summary>Creates an OrtValue over the tensor's memory (pinned, not copied); strings are copied into ORT's string tensor.</summary>
    public static unsafe OrtValue Bind(InferenceTensor tensor, ref MemoryHandle pin)
    {
        var shape = tensor.Shape as long[] ?? [.. tensor.Shape];
        if (tensor.ElementType == TensorElementType.String)
        {
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            try
            {
                var strings = tensor.Strings!;
                for (var i = 0; i < strings.Count; i++)
                {
                    value.StringTensorSetElementAt(strings[i].Span, i);
                }

                return value;
            }
            catch
            {
                value.Dispose();
                throw;
            }
        }

        if (tensor.Data.IsEmpty)
        {
            pin = EmptyBuffer.AsMemory().Pin();
            return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, tensor.ElementType, shape, (IntPtr)pin.Pointer, 0);
        }

        // ORT only reads inputs; the request buffer is never written through this pointer.
        pin = tensor.Data.Pin();
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, tensor.ElementType, shape, (IntPtr)pin.Pointer, tensor.Data.Length);
    }
}
