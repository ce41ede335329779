using Mantle.Serving.Engine;
using Mantle.Serving.Repository.Internal;

namespace Mantle.Serving.Repository;

/// <summary>Lookups and status, on the request path: lock-free reads of the immutable snapshots.</summary>
public sealed partial class ModelRepository
{
    /// <inheritdoc />
    public ModelLookup Find(string name, long? version = null, string? label = null)
    {
        if (!_models.TryGetValue(name, out var entry))
        {
            return ModelLookup.Failed(ServingErrorCode.NotFound, $"Model '{name}' is not served; served models: {string.Join(", ", _models.Keys)}.");
        }

        var available = entry.Available;
        if (label is not null)
        {
            if (!entry.Config.Labels.TryGetValue(label, out var labelled))
            {
                return ModelLookup.Failed(ServingErrorCode.NotFound, $"Model '{name}' has no version label '{label}'; labels: {FormatLabels(entry)}.");
            }

            version = labelled;
        }

        if (version is { } wanted)
        {
            foreach (var model in available)
            {
                if (model.Version == wanted)
                {
                    return ModelLookup.Of(model);
                }
            }

            lock (_stateLock)
            {
                if (entry.Slots.TryGetValue(wanted, out var slot) && slot.State is ModelVersionState.Start or ModelVersionState.Loading)
                {
                    return ModelLookup.Failed(ServingErrorCode.Unavailable, $"Model '{name}' version {wanted} is still loading; retry shortly.");
                }
            }

            return ModelLookup.Failed(ServingErrorCode.NotFound, $"Model '{name}' version {wanted}{(label is null ? string.Empty : $" (label '{label}')")} is not available; available versions: {FormatVersions(available)}.");
        }

        return available.Length > 0
            ? ModelLookup.Of(available[^1])
            : ModelLookup.Failed(ServingErrorCode.Unavailable, $"Model '{name}' has no available version yet (loading, or every version failed to load: see its status).");
    }

    /// <inheritdoc />
    public IReadOnlyList<ModelVersionStatus> GetStatus(string name, long? version = null)
    {
        if (!_models.TryGetValue(name, out var entry))
        {
            return [];
        }

        lock (_stateLock)
        {
            return [.. entry.Slots.Values
                .Where(s => version is null || s.Version == version)
                .Select(s => new ModelVersionStatus(s.Version, s.State, s.Error))];
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, long> GetLabels(string name) =>
        _models.TryGetValue(name, out var entry) ? entry.Config.Labels : new Dictionary<string, long>();

    private static string FormatVersions(IServableModel[] available) =>
        available.Length == 0 ? "none" : string.Join(", ", available.Select(m => m.Version));

    private static string FormatLabels(ModelEntry entry) =>
        entry.Config.Labels.Count == 0 ? "none" : string.Join(", ", entry.Config.Labels.Keys);
}
