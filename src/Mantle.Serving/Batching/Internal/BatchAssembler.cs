using System.Buffers;
using System.Text;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Batching.Internal;

/// <summary>Concatenates requests along dimension 0 and slices the batch's outputs back per request.</summary>
internal static class BatchAssembler
{
    /// <summary>
    /// The batching key of a request, or null when it cannot be batched: every input needs the same
    /// size of dimension 0, between 1 and <paramref name="maxRows"/>, and no input is a string tensor.
    /// </summary>
    public static string? Key(InferenceRequest request, int maxRows, out int rows)
    {
        rows = 0;
        if (request.Inputs.Count == 0)
        {
            return null;
        }

        var key = new StringBuilder();
        foreach (var input in request.Inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            if (input.ElementType == TensorElementType.String || input.Shape.Count == 0)
            {
                return null;
            }

            var first = input.Shape[0];
            if (first < 1 || first > maxRows || (rows != 0 && first != rows))
            {
                return null;
            }

            rows = (int)first;
            key.Append(input.Name).Append(':').Append((int)input.ElementType);
            for (var i = 1; i < input.Shape.Count; i++)
            {
                key.Append(',').Append(input.Shape[i]);
            }

            key.Append(';');
        }

        if (request.OutputNames is { Count: > 0 } outputs)
        {
            key.Append('>').AppendJoin(',', outputs);
        }

        return key.ToString();
    }

    /// <summary>Builds one request of <paramref name="paddedRows"/> rows; the returned arrays go back to the pool after the run.</summary>
    public static InferenceRequest Concatenate(IReadOnlyList<PendingRequest> batch, int paddedRows, List<byte[]> rented)
    {
        var template = batch[0].Request;
        var inputs = new InferenceTensor[template.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var name = template.Inputs[i].Name;
            var first = template.Inputs[i];
            var rowBytes = first.Data.Length / first.Shape[0];
            var total = checked((int)(rowBytes * paddedRows));
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
            rented.Add(buffer);
            var offset = 0;
            foreach (var pending in batch)
            {
                var data = pending.Request.Inputs.First(t => t.Name == name).Data.Span;
                data.CopyTo(buffer.AsSpan(offset));
                offset += data.Length;
            }

            // Padding rows (for allowed_batch_sizes) are zeros; their outputs are dropped.
            buffer.AsSpan(offset, total - offset).Clear();
            long[] shape = [paddedRows, .. first.Shape.Skip(1)];
            inputs[i] = InferenceTensor.FromBytes(name, first.ElementType, shape, buffer.AsMemory(0, total));
        }

        return new InferenceRequest(inputs, template.OutputNames);
    }

    /// <summary>Cuts the batch outputs into one result per request; the views share the batch result's memory.</summary>
    public static InferenceResult[] Slice(IReadOnlyList<PendingRequest> batch, int paddedRows, InferenceResult result, string modelName)
    {
        foreach (var output in result.Outputs)
        {
            if (output.Shape.Count == 0 || output.Shape[0] != paddedRows)
            {
                result.Dispose();
                var failure = new ServingError(ServingErrorCode.Internal, $"Model '{modelName}' output '{output.Name}' has shape {TensorElementTypes.FormatShape(output.Shape)}, whose first dimension is not the batch size {paddedRows}; disable batching for this model.");
                return [.. batch.Select(_ => InferenceResult.Failure(failure))];
            }
        }

        var owner = new SharedResultOwner(result, batch.Count);
        var results = new InferenceResult[batch.Count];
        var row = 0;
        for (var r = 0; r < batch.Count; r++)
        {
            var rows = batch[r].Rows;
            var outputs = new InferenceTensor[result.Outputs.Count];
            for (var o = 0; o < outputs.Length; o++)
            {
                var output = result.Outputs[o];
                long[] shape = [rows, .. output.Shape.Skip(1)];
                if (output.ElementType == TensorElementType.String)
                {
                    var perRow = output.Strings!.Count / paddedRows;
                    outputs[o] = InferenceTensor.FromStrings(output.Name, shape, [.. output.Strings.Skip(row * perRow).Take(rows * perRow)]);
                }
                else
                {
                    var rowBytes = output.Data.Length / paddedRows;
                    outputs[o] = InferenceTensor.FromBytes(output.Name, output.ElementType, shape, output.Data.Slice(row * rowBytes, rows * rowBytes));
                }
            }

            results[r] = InferenceResult.Success(outputs, owner.Lease());
            row += rows;
        }

        return results;
    }
}
