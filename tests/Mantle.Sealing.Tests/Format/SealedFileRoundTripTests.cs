using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests.Format;

public class SealedFileRoundTripTests
{
    private const int SmallChunk = 1024;

    public static TheoryData<int, int> Sizes() => new()
    {
        { 0, SmallChunk },
        { 1, SmallChunk },
        { SmallChunk - 1, SmallChunk },
        { SmallChunk, SmallChunk },
        { SmallChunk + 1, SmallChunk },
        { (5 * SmallChunk) + 17, SmallChunk },
        { 3000 * SmallChunk, SmallChunk }, // several I/O blocks of batched chunks
        { 0, SealedFormat.DefaultChunkSize },
        { 1, SealedFormat.DefaultChunkSize },
        { SealedFormat.DefaultChunkSize - 1, SealedFormat.DefaultChunkSize },
        { SealedFormat.DefaultChunkSize, SealedFormat.DefaultChunkSize },
        { SealedFormat.DefaultChunkSize + 1, SealedFormat.DefaultChunkSize },
        { (3 * SealedFormat.DefaultChunkSize) + 5, SealedFormat.DefaultChunkSize },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task SealThenUnseal_AnySize_ReturnsOriginal(int size, int chunkSize)
    {
        using var key = ModelKey.Generate();
        var plaintext = TestBytes.Random(size, seed: size);

        var sealedBytes = await Seal(plaintext, key, "model.onnx", chunkSize);
        var opened = new MemoryStream();
        var length = await SealedFile.UnsealAsync(new MemoryStream(sealedBytes), opened, key, "model.onnx");

        Assert.Equal(size, length);
        Assert.Equal(plaintext, opened.ToArray());
        Assert.Equal(SealedFormat.GetSealedLength(size, chunkSize), sealedBytes.Length);
    }

    [Fact]
    public async Task Seal_SamePlaintextTwice_ProducesDifferentCiphertext()
    {
        using var key = ModelKey.Generate();
        var plaintext = TestBytes.Random(5000);

        var first = await Seal(plaintext, key, "a", SmallChunk);
        var second = await Seal(plaintext, key, "a", SmallChunk);

        Assert.NotEqual(first, second);
        Assert.NotEqual(first.AsSpan(24, 32).ToArray(), second.AsSpan(24, 32).ToArray());
    }

    [Fact]
    public async Task Seal_Header_HasDocumentedLayout()
    {
        using var key = ModelKey.Generate();

        var sealedBytes = await Seal([1, 2, 3], key, "a", SmallChunk);

        Assert.Equal("MNTLSEAL"u8.ToArray(), sealedBytes[..8]);
        Assert.Equal(SealedFormat.Version, sealedBytes[8]);
        Assert.Equal(SealedFormat.AlgorithmAes256Gcm, sealedBytes[9]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 4, 0 }, sealedBytes[10..16]);
        Assert.Equal(key.Id, Convert.ToHexStringLower(sealedBytes.AsSpan(16, 8)));
        Assert.Equal(SealedFormat.HeaderSize + 3 + SealedFormat.TagSize, sealedBytes.Length);
    }

    [Theory]
    [InlineData(SealedFormat.MinChunkSize - 1)]
    [InlineData(SealedFormat.MaxChunkSize + 1)]
    public async Task Seal_ChunkSizeOutOfRange_IsRefused(int chunkSize)
    {
        using var key = ModelKey.Generate();

        var error = await Assert.ThrowsAsync<SealingException>(() => Seal([1], key, "a", chunkSize));

        Assert.Equal(SealingErrorCode.InvalidHeader, error.Code);
        Assert.Contains("chunk size", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../escape")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    public async Task Seal_PathNotAllowed_IsRefused(string path)
    {
        using var key = ModelKey.Generate();

        var error = await Assert.ThrowsAsync<SealingException>(() => Seal([1], key, path, SmallChunk));

        Assert.Equal(SealingErrorCode.InvalidPath, error.Code);
        Assert.Contains("not allowed", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<byte[]> Seal(byte[] plaintext, ModelKey key, string path, int chunkSize)
    {
        var output = new MemoryStream();
        await SealedFile.SealAsync(new MemoryStream(plaintext), output, key, path, chunkSize);
        return output.ToArray();
    }
}
