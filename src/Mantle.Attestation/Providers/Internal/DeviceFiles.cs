namespace Mantle.Attestation.Providers.Internal;

/// <summary>Reads and writes pseudo-files (configfs, Gramine's /dev/attestation) with single writes and reads to end of file.</summary>
internal static class DeviceFiles
{
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // One write call: pseudo-files take the whole value in one write.
        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, BufferSize = 0 });
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        // Pseudo-files often report a size of 0 or 4096: read until end of file instead of trusting it.
        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, BufferSize = 0 });
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, 64 * 1024, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    public static async Task<string> ReadTextAsync(string path, CancellationToken cancellationToken) =>
        System.Text.Encoding.UTF8.GetString(await ReadAsync(path, cancellationToken).ConfigureAwait(false)).Trim('\0', '\n', ' ', '\r', '\t');

    public static byte[] PadReportData(ReadOnlyMemory<byte> reportData)
    {
        if (reportData.Length > 64)
        {
            throw new ArgumentException($"Report data is at most 64 bytes, not {reportData.Length}.", nameof(reportData));
        }

        var padded = new byte[64];
        reportData.Span.CopyTo(padded);
        return padded;
    }
}
