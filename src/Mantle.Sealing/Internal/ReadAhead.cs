namespace Mantle.Sealing.Internal;

/// <summary>
/// Work that makes unsealing faster and needs no key, done only while the key is awaited: the pages of the plaintext
/// buffers are touched (so that the kernel backs them now, not during decryption), then the sealed files are read once
/// (so that they come from the page cache, not the disk). Each step checks the key between slices and stops once it is
/// there: with a key at hand (a key file) it costs nothing.
/// </summary>
internal static class ReadAhead
{
    private const int PageSize = 4096;
    private const int Slice = 1024 * 1024;

    public static void UntilDone(Task awaited, IEnumerable<byte[]> buffers, IEnumerable<string> sealedFiles)
    {
        foreach (var buffer in buffers)
        {
            for (var offset = 0; offset < buffer.Length; offset += PageSize)
            {
                if (offset % Slice == 0 && awaited.IsCompleted)
                {
                    return;
                }

                buffer[offset] = 0;
            }
        }

        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(Slice);
        try
        {
            foreach (var path in sealedFiles)
            {
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                long position = 0;
                int read;
                while (!awaited.IsCompleted && (read = RandomAccess.Read(handle, scratch, position)) > 0)
                {
                    position += read;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a head start: unsealing opens the files again and reports what is wrong with them.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
