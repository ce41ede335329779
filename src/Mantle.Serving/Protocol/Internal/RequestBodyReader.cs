using System.Buffers;
using System.IO.Pipelines;
using Mantle.Serving.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mantle.Serving.Protocol.Internal;

/// <summary>
/// Reads a REST request body whose JSON starts at its first byte (TF Serving and KServe alike) into one pooled
/// buffer. The memory a request can take is bounded twice: by the server's body limit (Kestrel's
/// MaxRequestBodySize; a larger declared Content-Length is refused before anything is read), and by refusing,
/// from the first bytes that arrive, a body that cannot be a JSON object, before a buffer for the rest is taken.
/// </summary>
internal static class RequestBodyReader
{
    /// <summary>How much of an oversized body the server may drain after the 413, instead of resetting the connection.</summary>
    private const long DrainAllowanceBytes = 16 * 1024 * 1024;

    /// <summary>Leading whitespace looked through for the first byte; a body with more is left to the JSON parser.</summary>
    private const int PeekLimit = 64 * 1024;

    private const int InitialBufferBytes = 16 * 1024;

    public static async Task<RequestBody> ReadAsync(HttpContext context)
    {
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        var limit = Math.Min(sizeFeature?.MaxRequestBodySize ?? int.MaxValue, Array.MaxLength);
        var declared = context.Request.ContentLength;
        if (declared > limit)
        {
            // Let the server drain a moderately oversized body after the 413 instead of resetting the connection,
            // which could discard the answer before an HTTP/1.1 client reads it.
            if (sizeFeature is { IsReadOnly: false } && declared.Value - limit <= DrainAllowanceBytes)
            {
                sizeFeature.MaxRequestBodySize = declared.Value;
            }

            return TooLarge(declared.Value, limit);
        }

        var reader = context.Request.BodyReader;
        var cancellationToken = context.RequestAborted;
        byte[]? buffer = null;
        long length = 0;
        try
        {
            if (!await StartsLikeJsonObjectAsync(reader, cancellationToken))
            {
                return RequestBody.Refused(ServingErrorCode.InvalidArgument, StatusCodes.Status400BadRequest,
                    "the request body is not a JSON object: its first non-blank byte is not '{'; send a JSON object (for binary data, a JSON header first)");
            }

            buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(declared ?? InitialBufferBytes, 1));
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    if (length + segment.Length > buffer.Length)
                    {
                        if (length + segment.Length > limit)
                        {
                            return TooLarge(length + segment.Length, limit);
                        }

                        buffer = Grow(buffer, length, Math.Min(Math.Max((long)buffer.Length * 2, length + segment.Length), limit));
                    }

                    segment.Span.CopyTo(buffer.AsSpan((int)length));
                    length += segment.Length;
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    var body = RequestBody.Read(buffer, (int)length);
                    buffer = null;
                    return body;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(length, limit);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's messages name the framing problem ("Unexpected end of request content."), never body bytes.
            return RequestBody.Refused(ServingErrorCode.InvalidArgument, ex.StatusCode, "the request body could not be read: " + ex.Message);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Waits for the first non-whitespace byte without consuming anything; true when it is '{' or cannot be told.</summary>
    private static async Task<bool> StartsLikeJsonObjectAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var first = FirstNonWhitespace(buffer);
            if (first >= 0 || result.IsCompleted || buffer.Length >= PeekLimit)
            {
                reader.AdvanceTo(buffer.Start);
                return first is < 0 or '{';
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static int FirstNonWhitespace(in ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            var index = segment.Span.IndexOfAnyExcept(" \t\r\n"u8);
            if (index >= 0)
            {
                return segment.Span[index];
            }
        }

        return -1;
    }

    private static byte[] Grow(byte[] buffer, long length, long size)
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)size);
        buffer.AsSpan(0, (int)length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    private static RequestBody TooLarge(long size, long limit) =>
        RequestBody.Refused(ServingErrorCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge,
            $"the request body ({size} bytes or more) is larger than the limit of {limit} bytes; send smaller batches or raise the server's REST body limit");
}
