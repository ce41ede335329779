namespace Mantle.Sealing.Tests;

internal static class TestBytes
{
    /// <summary>Deterministic pseudo-random bytes (so failures reproduce).</summary>
    public static byte[] Random(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] FlipBit(byte[] data, long position)
    {
        var copy = (byte[])data.Clone();
        copy[position] ^= (byte)(1 << (int)(position % 8));
        return copy;
    }
}
