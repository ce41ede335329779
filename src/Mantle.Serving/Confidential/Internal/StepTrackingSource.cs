using Mantle.Sealing;
using Mantle.Serving.Engine;
using Mantle.Serving.Repository;

namespace Mantle.Serving.Confidential.Internal;

/// <summary>
/// Wraps the sealed source to learn, for a failed start, which step failed (release, verify, unseal), to count the
/// bytes unsealed for the start summary, and to tell the start when a version has been read (<paramref name="read"/>,
/// after each read, successful or not).
/// </summary>
internal sealed class StepTrackingSource(SealedModelSource inner, BrokerKeyResolver keys, Action read) : IModelSource
{
    private long _bytes;

    public ConfidentialStartStep? FirstFailure { get; private set; }

    /// <summary>The attestation failure a model key waited on, when that is why a read failed.</summary>
    public ConfidentialStartException? AttestationFailure { get; private set; }

    public long UnsealedBytes => Interlocked.Read(ref _bytes);

    public bool IsSealed => inner.IsSealed;

    public bool CanRead(string versionDirectory) => inner.CanRead(versionDirectory);

    public async Task<byte[]> ReadAsync(string versionDirectory, CancellationToken cancellationToken = default)
    {
        try
        {
            var bytes = await inner.ReadAsync(versionDirectory, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _bytes, bytes.LongLength);
            return bytes;
        }
        catch (ModelLoadException ex)
        {
            FirstFailure ??= Classify(ex);
            AttestationFailure ??= ex.InnerException as ConfidentialStartException;
            throw;
        }
        finally
        {
            read();
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
