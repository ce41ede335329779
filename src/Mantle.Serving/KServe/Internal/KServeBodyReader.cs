using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mantle.Serving.KServe.Internal;

/// <summary>Reads a request body into one pooled buffer (returned by the caller), enforcing the size limit.</summary>
internal static class KServeBodyReader
{
    private const long DrainAllowanceBytes = 16 * 1024 * 1024;

    /// <summary>Reads the body; the limit is the server's request body limit (Kestrel's MaxRequestBodySize).</summary>
    public static async Task<(byte[] Buffer, int Length)> ReadAsync(HttpContext context)
    {
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        var limit = Math.Min(sizeFeature?.MaxRequestBodySize ?? int.MaxValue, Array.MaxLength);
        var declared = context.Request.ContentLength;
        if (declared > limit)
        {
            // Let the server drain a moderately oversized body after the 413 instead of resetting the
            // connection, which could discard the answer before an HTTP/1.1 client reads it.
            if (sizeFeature is { IsReadOnly: false } && declared.Value - limit <= DrainAllowanceBytes)
            {
                sizeFeature.MaxRequestBodySize = declared.Value;
            }

            throw TooLarge(declared.Value, limit);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(declared ?? 16 * 1024, 16));
        var length = 0;
        try
        {
            if (declared is { } exact)
            {
                await context.Request.Body.ReadExactlyAsync(buffer.AsMemory(0, (int)exact), context.RequestAborted);
                return (buffer, (int)exact);
            }

            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw TooLarge(length, limit);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return length > limit ? throw TooLarge(length, limit) : (buffer, length);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw TooLarge(length, limit);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static KServeRequestException TooLarge(long size, long limit) =>
        new($"the request body ({size} bytes or more) exceeds the server's limit of {limit} bytes; send smaller batches or raise the REST body limit",
            Engine.ServingErrorCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge);
}
