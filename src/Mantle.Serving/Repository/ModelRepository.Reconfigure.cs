using Mantle.Serving.Engine;
using Mantle.Serving.Repository.Internal;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Repository;

/// <summary>Changing the set of served models while serving (a reloaded <c>--model_config_file</c>).</summary>
public sealed partial class ModelRepository
{
    /// <summary>
    /// Replaces the configured models: new models are loaded, removed ones unloaded, and models that
    /// keep their name and base path keep their loaded versions under the new policy and labels.
    /// Labels that point at a version that is not available are logged; lookups by them fail until
    /// the version is available.
    /// </summary>
    /// <exception cref="ArgumentException">Two models share a name, or a model is not an ONNX model; nothing changes.</exception>
    public async Task ReconfigureAsync(IEnumerable<ModelConfig> models, CancellationToken cancellationToken = default)
    {
        var configs = CheckConfigs(models);
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _models;
            var next = new Dictionary<string, ModelEntry>(StringComparer.Ordinal);
            var removed = new List<ModelEntry>();
            foreach (var config in configs)
            {
                if (current.TryGetValue(config.Name, out var entry) && string.Equals(entry.Config.BasePath, config.BasePath, StringComparison.Ordinal))
                {
                    entry.Config = config;
                    next[config.Name] = entry;
                }
                else
                {
                    if (entry is not null)
                    {
                        removed.Add(entry);
                    }

                    next[config.Name] = new ModelEntry(config);
                }
            }

            removed.AddRange(current.Values.Where(e => !next.ContainsKey(e.Config.Name)));
            _models = next;
            foreach (var entry in removed)
            {
                await UnloadAllAsync(entry);
            }

            foreach (var entry in next.Values)
            {
                await RefreshModelAsync(entry, cancellationToken);
                foreach (var (label, version) in entry.Config.Labels)
                {
                    if (!entry.Available.Any(m => m.Version == version))
                    {
                        ServingLog.LabelUnavailable(_logger, entry.Config.Name, label, version);
                    }
                }
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private static List<ModelConfig> CheckConfigs(IEnumerable<ModelConfig> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var list = models.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var config in list)
        {
            if (!string.Equals(config.Platform, "onnx", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Model '{config.Name}' has model_platform \"{config.Platform}\"; Mantle serves \"onnx\" models only.", nameof(models));
            }

            if (!names.Add(config.Name))
            {
                throw new ArgumentException($"Model name '{config.Name}' is configured twice.", nameof(models));
            }
        }

        return list;
    }

    private async Task UnloadAllAsync(ModelEntry entry)
    {
        var models = entry.Available;
        entry.Available = [];
        foreach (var model in models)
        {
            await DisposeModelAsync(model);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                ServingLog.VersionUnloaded(_logger, entry.Config.Name, model.Version);
            }
        }

        lock (_stateLock)
        {
            foreach (var slot in entry.Slots.Values.Where(s => s.State == ModelVersionState.Available))
            {
                slot.State = ModelVersionState.End;
                slot.Model = null;
            }
        }
    }
}
