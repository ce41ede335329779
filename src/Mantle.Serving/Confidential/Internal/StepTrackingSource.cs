using System.Diagnostics;
using Mantle.Sealing;
using Mantle.Serving.Engine;
using Mantle.Serving.Repository;

namespace Mantle.Serving.Confidential.Internal;

/// <summary>
/// Wraps the sealed source to learn, for a failed start, which step failed (release, verify, unseal), and to time the
/// unsealing for the start summary.
/// </summary>
internal sealed class StepTrackingSource(SealedModelSource inner, BrokerKeyResolver keys) : IModelSource
{
    private long _readTicks;
    private long _bytes;

    public ConfidentialStartStep? FirstFailure { get; private set; }

    public long UnsealedBytes => Interlocked.Read(ref _bytes);

    public TimeSpan ReadTime => TimeSpan.FromTicks(Interlocked.Read(ref _readTicks));

    public bool IsSealed => inner.IsSealed;

    public bool CanRead(string versionDirectory) => inner.CanRead(versionDirectory);

    public async Task<byte[]> ReadAsync(string versionDirectory, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var bytes = await inner.ReadAsync(versionDirectory, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _bytes, bytes.LongLength);
            return bytes;
        }
        catch (ModelLoadException ex)
        {
            FirstFailure ??= Classify(ex);
            throw;
        }
        finally
        {
            Interlocked.Add(ref _readTicks, stopwatch.Elapsed.Ticks);
        }
    }

    private ConfidentialStartStep Classify(ModelLoadException ex) =>
        keys.Threw(ex) ? ConfidentialStartStep.Release
        : ex.InnerException is SealingException
        {
            Code: SealingErrorCode.ManifestMissing or SealingErrorCode.ManifestInvalid or SealingErrorCode.ManifestUntrustedSigner
                or SealingErrorCode.ManifestSignatureInvalid or SealingErrorCode.FileMissing or SealingErrorCode.UnexpectedFile,
        } ? ConfidentialStartStep.Verify
        : ConfidentialStartStep.Unseal;
}
