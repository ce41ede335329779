using Mantle.Attestation;
using Mantle.Attestation.Providers;

namespace Mantle.Cli.Commands.Serving;

/// <summary>
/// The TEE's evidence provider while it is still being opened: attestation asks the broker for its nonce first, and
/// for evidence only then, by which time the provider is there.
/// </summary>
internal sealed class OpeningEvidenceProvider(TeeType tee, Task<TeeEvidenceProvider> opening) : IEvidenceProvider
{
    public TeeType Tee => tee;

    public async ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        var provider = await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await provider.GetEvidenceAsync(reportData, cancellationToken).ConfigureAwait(false);
    }
}
