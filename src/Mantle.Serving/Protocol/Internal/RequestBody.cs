using System.Buffers;
using Mantle.Serving.Engine;

namespace Mantle.Serving.Protocol.Internal;

/// <summary>A REST request body in one pooled buffer (returned on dispose), or why it was refused.</summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length, ServingError? error, int status)
    {
        _buffer = buffer;
        Length = length;
        Error = error;
        Status = status;
    }

    /// <summary>The body bytes; views of it stay valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>The whole buffer (longer than <see cref="Length"/>), for parsers that take an array.</summary>
    public byte[] Buffer => _buffer;

    public int Length { get; }

    /// <summary>Why the body was refused, or null.</summary>
    public ServingError? Error { get; }

    /// <summary>The HTTP status of the refusal (413 for an oversized body, 400 otherwise).</summary>
    public int Status { get; }

    public static RequestBody Read(byte[] buffer, int length) => new(buffer, length, null, 0);

    public static RequestBody Refused(ServingErrorCode code, int status, string message) => new([], 0, new ServingError(code, message), status);

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
