using Mantle.Serving.Engine;
using Mantle.Serving.Repository.Internal;

namespace Mantle.Serving.Repository;

/// <summary>Taking versions out of service for a reason outside their folders (a model key the broker no longer releases).</summary>
public sealed partial class ModelRepository
{
    /// <summary>
    /// Unloads every available version whose folder <paramref name="isWithdrawn"/> selects and marks it failed with
    /// <paramref name="reason"/>: its status shows the reason, and polling does not load it again until its folder changes.
    /// Other versions keep serving; a model left without versions answers "unavailable".
    /// </summary>
    /// <returns>The versions unloaded, as <c>model:version</c>.</returns>
    public async Task<IReadOnlyList<string>> WithdrawAsync(Func<string, bool> isWithdrawn, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(isWithdrawn);
        var withdrawn = new List<string>();
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var entry in _models.Values)
            {
                var folders = ListVersionFolders(entry.Config);
                foreach (var model in entry.Available)
                {
                    if (folders is null || !folders.TryGetValue(model.Version, out var folder) || !isWithdrawn(folder))
                    {
                        continue;
                    }

                    entry.Available = [.. entry.Available.Where(m => m.Version != model.Version)];
                    await DisposeModelAsync(model);
                    lock (_stateLock)
                    {
                        var slot = entry.Slots[model.Version];
                        slot.State = ModelVersionState.End;
                        slot.Model = null;
                        slot.Error = new ServingError(ServingErrorCode.FailedPrecondition, reason);
                        slot.FailedFingerprint = VersionFolders.Fingerprint(folder);
                    }

                    ServingLog.VersionUnloaded(_logger, entry.Config.Name, model.Version);
                    withdrawn.Add(FormattableString.Invariant($"{entry.Config.Name}:{model.Version}"));
                }
            }
        }
        finally
        {
            _refreshLock.Release();
        }

        return withdrawn;
    }
}
