using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests.Format;

/// <summary>Every alteration of a sealed file is refused with a message that says what happened.</summary>
public sealed class SealedFileTamperTests : IDisposable
{
    private const int Chunk = 1024;
    private const int SealedChunk = Chunk + SealedFormat.TagSize;
    private const int Header = SealedFormat.HeaderSize;
    private const string Path = "weights/model.onnx";

    private readonly ModelKey _key = ModelKey.Generate();
    private readonly byte[] _sealed;

    public SealedFileTamperTests()
    {
        // Four chunks: three full, one of 100 bytes.
        _sealed = SealedFileRoundTripTests.Seal(TestBytes.Random((3 * Chunk) + 100), _key, Path, Chunk).GetAwaiter().GetResult();
    }

    public static TheoryData<int, SealingErrorCode, string> HeaderBits()
    {
        var data = new TheoryData<int, SealingErrorCode, string>();
        foreach (var position in new[] { 0, 3, 7 })
        {
            data.Add(position, SealingErrorCode.NotSealedFile, "is not a Mantle sealed file");
        }

        data.Add(8, SealingErrorCode.UnsupportedFormat, "sealed format version");
        data.Add(9, SealingErrorCode.UnsupportedFormat, "encryption algorithm");
        data.Add(10, SealingErrorCode.InvalidHeader, "reserved bytes");
        data.Add(11, SealingErrorCode.InvalidHeader, "reserved bytes");
        data.Add(12, SealingErrorCode.InvalidHeader, "chunk size");
        for (var position = 16; position < 24; position++)
        {
            data.Add(position, SealingErrorCode.KeyMismatch, "was sealed with model key");
        }

        for (var position = 24; position < Header; position += 3)
        {
            data.Add(position, SealingErrorCode.ChunkAuthenticationFailed, "Chunk 0 of 'weights/model.onnx' failed authentication");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HeaderBits))]
    public async Task Unseal_HeaderBitFlipped_IsRefusedWithFieldMessage(int position, SealingErrorCode code, string message)
    {
        var error = await Refused(TestBytes.FlipBit(_sealed, position));

        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public async Task Unseal_ChunkSizeBitFlipped_IsRefused(int position)
    {
        for (var bit = 0; bit < 8; bit++)
        {
            var tampered = (byte[])_sealed.Clone();
            tampered[position] ^= (byte)(1 << bit);

            var error = await Refused(tampered);

            // A chunk size out of range is caught in the header; any other changes the AAD of every chunk.
            Assert.True(error.Code is SealingErrorCode.InvalidHeader or SealingErrorCode.ChunkAuthenticationFailed, error.Code.ToString());
        }
    }

    public static TheoryData<int, int> CiphertextAndTagPositions()
    {
        var data = new TheoryData<int, int>();
        int[] chunkLengths = [Chunk, Chunk, Chunk, 100];
        for (var chunk = 0; chunk < chunkLengths.Length; chunk++)
        {
            var start = Header + (chunk * SealedChunk);
            var length = chunkLengths[chunk];
            foreach (var offset in new[] { 0, 1, length / 2, length - 1 })
            {
                data.Add(start + offset, chunk); // ciphertext
            }

            foreach (var offset in new[] { 0, 7, 15 })
            {
                data.Add(start + length + offset, chunk); // tag
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CiphertextAndTagPositions))]
    public async Task Unseal_CiphertextOrTagBitFlipped_NamesTheChunk(int position, int chunk)
    {
        var error = await Refused(TestBytes.FlipBit(_sealed, position));

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
        Assert.Contains($"Chunk {chunk} of '{Path}' failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Unseal_TruncatedAtChunkBoundary_SaysTruncated(int chunksKept)
    {
        var error = await Refused(_sealed[..(Header + (chunksKept * SealedChunk))]);

        Assert.Equal(SealingErrorCode.Truncated, error.Code);
        Assert.Contains("truncated at a chunk boundary", error.Message, StringComparison.Ordinal);
        Assert.Contains($"ends after chunk {chunksKept - 1}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Header + 100)]
    [InlineData(Header + SealedChunk + 500)]
    [InlineData(Header + (3 * SealedChunk) + 50)]
    public async Task Unseal_TruncatedMidChunk_IsRefused(int length)
    {
        var error = await Refused(_sealed[..length]);

        // Without a manifest the cut shows as a final chunk that does not authenticate; SealedModelReader says "truncated".
        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
        Assert.Contains("cut", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_TruncatedInsideHeaderOrAfterIt_SaysTruncated()
    {
        var inHeader = await Refused(_sealed[..20]);
        var afterHeader = await Refused(_sealed[..Header]);
        var inTag = await Refused(_sealed[..(Header + SealedChunk + 5)]);

        Assert.Equal(SealingErrorCode.Truncated, inHeader.Code);
        Assert.Contains("inside the 56-byte header", inHeader.Message, StringComparison.Ordinal);
        Assert.Equal(SealingErrorCode.Truncated, afterHeader.Code);
        Assert.Contains("right after its header", afterHeader.Message, StringComparison.Ordinal);
        Assert.Equal(SealingErrorCode.Truncated, inTag.Code);
        Assert.Contains("shorter than its 16-byte tag", inTag.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_DataAppendedAfterFullFinalChunk_SaysTrailingData()
    {
        var exact = await SealedFileRoundTripTests.Seal(TestBytes.Random(2 * Chunk), _key, Path, Chunk);
        var extended = (byte[])[.. exact, 0x42];

        var error = await Refused(extended);

        Assert.Equal(SealingErrorCode.TrailingData, error.Code);
        Assert.Contains("data after its final chunk 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_ChunkAppendedAfterShortFinalChunk_IsRefused()
    {
        var extended = (byte[])[.. _sealed, .. _sealed[Header..(Header + SealedChunk)]];

        var error = await Refused(extended);

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
        Assert.Contains("Chunk 3 of", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(0, 2)]
    public async Task Unseal_ChunksSwapped_IsRefusedAtFirstSwappedChunk(int first, int second)
    {
        var swapped = (byte[])_sealed.Clone();
        _sealed.AsSpan(Header + (first * SealedChunk), SealedChunk).CopyTo(swapped.AsSpan(Header + (second * SealedChunk)));
        _sealed.AsSpan(Header + (second * SealedChunk), SealedChunk).CopyTo(swapped.AsSpan(Header + (first * SealedChunk)));

        var error = await Refused(swapped);

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
        Assert.Contains($"Chunk {first} of", error.Message, StringComparison.Ordinal);
        Assert.Contains("reordered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_FinalChunkFromAnotherFileOfSameKey_IsRefused()
    {
        var other = await SealedFileRoundTripTests.Seal(TestBytes.Random((3 * Chunk) + 100, seed: 9), _key, Path, Chunk);
        var spliced = (byte[])[.. _sealed[..(Header + (3 * SealedChunk))], .. other[(Header + (3 * SealedChunk))..]];

        var error = await Refused(spliced);

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
        Assert.Contains("Chunk 3 of", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("weights/other.onnx")]
    [InlineData("model.onnx")]
    [InlineData("Weights/model.onnx")]
    public async Task Unseal_UnderAnotherPath_IsRefused(string otherPath)
    {
        var error = await Assert.ThrowsAsync<SealingException>(() =>
            SealedFile.UnsealAsync(new MemoryStream(_sealed), new MemoryStream(), _key, otherPath));

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
        Assert.Contains("sealed for another path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_WrongModelKey_NamesBothKeyIds()
    {
        using var wrong = ModelKey.Generate();

        var error = await Assert.ThrowsAsync<SealingException>(() =>
            SealedFile.UnsealAsync(new MemoryStream(_sealed), new MemoryStream(), wrong, Path));

        Assert.Equal(SealingErrorCode.KeyMismatch, error.Code);
        Assert.Contains(_key.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains(wrong.Id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_Untampered_Succeeds()
    {
        var output = new MemoryStream();

        await SealedFile.UnsealAsync(new MemoryStream(_sealed), output, _key, Path);

        Assert.Equal((3 * Chunk) + 100, output.Length);
    }

    public void Dispose() => _key.Dispose();

    private async Task<SealingException> Refused(byte[] tampered) =>
        await Assert.ThrowsAsync<SealingException>(() => SealedFile.UnsealAsync(new MemoryStream(tampered), new MemoryStream(), _key, Path));
}
