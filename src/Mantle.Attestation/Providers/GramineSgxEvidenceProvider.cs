using Mantle.Attestation.Providers.Internal;

namespace Mantle.Attestation.Providers;

/// <summary>
/// Obtains an SGX DCAP quote inside a Gramine enclave through <c>/dev/attestation</c>: writes the 64 bytes
/// of report data to <c>user_report_data</c>, then reads <c>quote</c>. Refuses when
/// <c>attestation_type</c> says remote attestation is off (<c>none</c>).
/// </summary>
public sealed class GramineSgxEvidenceProvider : IEvidenceProvider, IDisposable
{
    private readonly GramineSgxOptions _options;
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>Creates the provider.</summary>
    public GramineSgxEvidenceProvider(GramineSgxOptions? options = null)
    {
        _options = options ?? new GramineSgxOptions();
        ArgumentException.ThrowIfNullOrEmpty(_options.Root, "GramineSgxOptions.Root");
    }

    /// <inheritdoc />
    public TeeType Tee => TeeType.Sgx;

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();

    /// <inheritdoc />
    public async ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        var padded = DeviceFiles.PadReportData(reportData);
        var root = _options.Root;
        var reportDataFile = Path.Combine(root, "user_report_data");
        if (!File.Exists(reportDataFile))
        {
            throw new AttestationException(
                AttestationErrorCode.ProviderUnavailable,
                $"'{reportDataFile}' does not exist: this process does not run in a Gramine SGX enclave (or GramineSgxOptions.Root is wrong).");
        }

        var typeFile = Path.Combine(root, "attestation_type");
        if (File.Exists(typeFile))
        {
            var type = await DeviceFiles.ReadTextAsync(typeFile, cancellationToken).ConfigureAwait(false);
            if (type is "none")
            {
                throw new AttestationException(
                    AttestationErrorCode.ProviderUnavailable,
                    "Gramine's remote attestation is disabled (attestation_type is 'none'); set sgx.remote_attestation = \"dcap\" in the manifest.");
            }
        }

        // The report data and the quote are one shared pair of files: one request at a time.
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await DeviceFiles.WriteAsync(reportDataFile, padded, cancellationToken).ConfigureAwait(false);
            var quote = await DeviceFiles.ReadAsync(Path.Combine(root, "quote"), cancellationToken).ConfigureAwait(false);
            if (quote.Length == 0)
            {
                throw new AttestationException(AttestationErrorCode.ProviderUnavailable, $"Gramine returned an empty quote from '{Path.Combine(root, "quote")}'; check that the AESM/quote provider service is reachable.");
            }

            return quote;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AttestationException(AttestationErrorCode.ProviderUnavailable, $"Gramine's attestation interface under '{root}' failed: {ex.Message}", ex);
        }
        finally
        {
            _lock.Release();
        }
    }
}
