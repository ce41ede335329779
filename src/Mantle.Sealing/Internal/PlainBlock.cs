namespace Mantle.Sealing.Internal;

/// <summary>
/// A block of plaintext in a sealing or unsealing pipeline, read by several stages at once (the hash and the cipher, or
/// the hash and the writer); the last of them to finish gives the buffer back to its pool, cleared.
/// </summary>
internal sealed class PlainBlock(byte[] buffer, int count, bool final, int users, int offset = 0)
{
    private int _users = users;

    public byte[] Buffer { get; } = buffer;

    /// <summary>Where the block starts in <see cref="Buffer"/> (a pooled buffer: 0; a caller's whole-file array: the block's place in it).</summary>
    public int Offset { get; } = offset;

    public int Count { get; } = count;

    /// <summary>True for the block that ends the file.</summary>
    public bool Final { get; } = final;

    /// <summary>Called by each stage when done with the block; the last one returns the buffer (null: not pooled).</summary>
    public void Release(BufferPool? pool)
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            pool?.Return(Buffer, Offset + Count);
        }
    }
}
