using System.Globalization;
using Mantle.Attestation.Providers.Internal;
using Mantle.Attestation.Snp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Attestation.Providers;

/// <summary>
/// Obtains TDX quotes or SEV-SNP reports through Linux configfs-tsm
/// (<c>/sys/kernel/config/tsm/report</c>): creates an entry (mkdir), writes the report data to
/// <c>inblob</c>, reads <c>outblob</c> (and <c>auxblob</c>, the SNP certificate table), checks that
/// <c>provider</c> is the expected TEE (<c>tdx_guest</c> / <c>sev_guest</c>) and that <c>generation</c>
/// did not move while reading (another writer), then removes the entry (rmdir).
/// </summary>
public sealed class TsmReportEvidenceProvider : IEvidenceProvider
{
    private readonly TsmReportOptions _options;
    private readonly string _expectedProvider;
    private readonly ILogger _logger;

    /// <summary>Creates a provider for <paramref name="tee"/> (<see cref="TeeType.Tdx"/> or <see cref="TeeType.Snp"/>).</summary>
    /// <exception cref="ArgumentException">The TEE is not TDX or SNP, or an option is invalid.</exception>
    public TsmReportEvidenceProvider(TeeType tee, TsmReportOptions? options = null, ILogger<TsmReportEvidenceProvider>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _expectedProvider = tee switch
        {
            TeeType.Tdx => "tdx_guest",
            TeeType.Snp => "sev_guest",
            _ => throw new ArgumentException($"configfs-tsm provides tdx or snp evidence, not {tee.ToName()}.", nameof(tee)),
        };
        _options = options ?? new TsmReportOptions();
        ArgumentException.ThrowIfNullOrEmpty(_options.Root, "TsmReportOptions.Root");
        if (_options.PrivilegeLevel is < 0 or > 3)
        {
            throw new ArgumentException("TsmReportOptions.PrivilegeLevel must be between 0 and 3.", nameof(options));
        }

        if (_options.MaxAttempts < 1)
        {
            throw new ArgumentException("TsmReportOptions.MaxAttempts must be at least 1.", nameof(options));
        }

        Tee = tee;
    }

    /// <inheritdoc />
    public TeeType Tee { get; }

    /// <summary>
    /// Returns the evidence: for TDX the quote (<c>outblob</c>); for SNP the report, wrapped with the
    /// certificate table (<c>auxblob</c>) in an <see cref="SnpEvidence"/> envelope when the kernel returned one.
    /// </summary>
    /// <exception cref="AttestationException">configfs-tsm is missing, belongs to another TEE, or kept changing.</exception>
    public async ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        var report = await GetReportAsync(reportData, cancellationToken).ConfigureAwait(false);
        if (Tee != TeeType.Snp || report.AuxBlob.Length == 0)
        {
            return report.OutBlob;
        }

        if (report.OutBlob.Length != SnpEvidence.ReportLength)
        {
            throw new AttestationException(
                AttestationErrorCode.ProviderUnavailable,
                $"configfs-tsm returned a {report.OutBlob.Length}-byte SEV-SNP report; reports are {SnpEvidence.ReportLength} bytes.");
        }

        return SnpEvidence.CreateEnvelope(report.OutBlob, report.AuxBlob);
    }

    /// <summary>Runs one configfs-tsm report request and returns everything it produced.</summary>
    /// <exception cref="AttestationException">configfs-tsm is missing, belongs to another TEE, or kept changing.</exception>
    public async Task<TsmReport> GetReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        var padded = DeviceFiles.PadReportData(reportData);
        if (!Directory.Exists(_options.Root))
        {
            throw new AttestationException(
                AttestationErrorCode.ProviderUnavailable,
                $"'{_options.Root}' does not exist: the kernel has no configfs-tsm (Linux 6.7+, configfs mounted) or this is not a {Tee.ToName()} guest.");
        }

        for (var attempt = 1; ; attempt++)
        {
            var entry = Path.Combine(_options.Root, _options.EntryName ?? $"mantle-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                Directory.CreateDirectory(entry);
                var report = await RequestAsync(entry, padded, attempt, cancellationToken).ConfigureAwait(false);
                if (report is not null)
                {
                    ProviderLog.EvidenceObtained(_logger, Tee, "configfs-tsm", report.OutBlob.Length);
                    return report;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new AttestationException(AttestationErrorCode.ProviderUnavailable, $"configfs-tsm report entry '{entry}' failed: {ex.Message}", ex);
            }
            finally
            {
                TryRemove(entry);
            }

            if (attempt >= _options.MaxAttempts)
            {
                throw new AttestationException(
                    AttestationErrorCode.ProviderUnavailable,
                    $"The configfs-tsm report entry changed while it was read {attempt} times in a row (generation moved): another process writes the same entry; use a unique TsmReportOptions.EntryName.");
            }
        }
    }

    private async Task<TsmReport?> RequestAsync(string entry, byte[] reportData, int attempt, CancellationToken cancellationToken)
    {
        var provider = await DeviceFiles.ReadTextAsync(Path.Combine(entry, "provider"), cancellationToken).ConfigureAwait(false);
        if (!string.Equals(provider, _expectedProvider, StringComparison.Ordinal))
        {
            throw new AttestationException(
                AttestationErrorCode.ProviderUnavailable,
                $"configfs-tsm is served by '{provider}', not '{_expectedProvider}': this guest is not {Tee.ToName()}; ask for the matching --tee.");
        }

        if (Tee == TeeType.Snp && _options.PrivilegeLevel is { } level)
        {
            await DeviceFiles.WriteAsync(Path.Combine(entry, "privlevel"), System.Text.Encoding.ASCII.GetBytes(level.ToString(CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
        }

        await DeviceFiles.WriteAsync(Path.Combine(entry, "inblob"), reportData, cancellationToken).ConfigureAwait(false);
        var before = await ReadGenerationAsync(entry, cancellationToken).ConfigureAwait(false);
        var outBlob = await DeviceFiles.ReadAsync(Path.Combine(entry, "outblob"), cancellationToken).ConfigureAwait(false);
        var auxPath = Path.Combine(entry, "auxblob");
        var auxBlob = File.Exists(auxPath) ? await DeviceFiles.ReadAsync(auxPath, cancellationToken).ConfigureAwait(false) : [];
        var after = await ReadGenerationAsync(entry, cancellationToken).ConfigureAwait(false);
        if (before != after)
        {
            ProviderLog.TsmGenerationMoved(_logger, entry, before, after, attempt);
            return null;
        }

        if (outBlob.Length == 0)
        {
            throw new AttestationException(AttestationErrorCode.ProviderUnavailable, $"configfs-tsm returned an empty outblob in '{entry}'; check the kernel log for the {_expectedProvider} driver's error.");
        }

        return new TsmReport(outBlob, auxBlob, provider, after);
    }

    private static async Task<long> ReadGenerationAsync(string entry, CancellationToken cancellationToken)
    {
        var text = await DeviceFiles.ReadTextAsync(Path.Combine(entry, "generation"), cancellationToken).ConfigureAwait(false);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var generation)
            ? generation
            : throw new AttestationException(AttestationErrorCode.ProviderUnavailable, $"configfs-tsm 'generation' in '{entry}' is not a number.");
    }

    private void TryRemove(string entry)
    {
        try
        {
            // configfs removes the attribute files with the folder; a plain folder must be empty.
            Directory.Delete(entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover entry is harmless: the next request uses a new name.
            ProviderLog.TsmEntryLeft(_logger, entry, ex.Message);
        }
    }
}
