namespace Mantle.Sealing.Tests;

/// <summary>A read-only stream of <c>length</c> pseudo-random bytes that exist nowhere else (no file, no big array).</summary>
internal sealed class GeneratedStream : Stream
{
    private readonly byte[] _pattern = TestBytes.Random(1 << 20, seed: 42);
    private readonly long _length;
    private long _position;

    public GeneratedStream(long length)
    {
        _length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = (int)Math.Min(buffer.Length, _length - _position);
        var written = 0;
        while (written < total)
        {
            var start = (int)((_position + written) % _pattern.Length);
            var length = Math.Min(total - written, _pattern.Length - start);
            _pattern.AsSpan(start, length).CopyTo(buffer[written..]);
            written += length;
        }

        _position += total;
        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
