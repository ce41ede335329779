using Mantle.Serving.Engine;

namespace Mantle.Serving.Tests.KServe;

/// <summary>An in-memory repository of loaded models, one version each unless added otherwise.</summary>
internal sealed class TestRepository : IModelRepository
{
    private readonly Dictionary<string, SortedDictionary<long, IServableModel>> _models = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loading = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public IReadOnlyCollection<string> ModelNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _models.Keys, .. _loading];
            }
        }
    }

    public bool IsReady
    {
        get
        {
            lock (_lock)
            {
                return _loading.Count == 0;
            }
        }
    }

    public void Add(IServableModel model)
    {
        lock (_lock)
        {
            if (!_models.TryGetValue(model.Name, out var versions))
            {
                _models[model.Name] = versions = [];
            }

            versions[model.Version] = model;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _models.Clear();
        }
    }

    /// <summary>Marks a model as configured but still loading (not ready).</summary>
    public void AddLoading(string name)
    {
        lock (_lock)
        {
            _loading.Add(name);
        }
    }

    public ModelLookup Find(string name, long? version = null, string? label = null)
    {
        lock (_lock)
        {
            if (_loading.Contains(name))
            {
                return ModelLookup.Failed(ServingErrorCode.Unavailable, $"model '{name}' is loading");
            }

            if (!_models.TryGetValue(name, out var versions))
            {
                return ModelLookup.Failed(ServingErrorCode.NotFound, $"model '{name}' is not served");
            }

            if (label is not null)
            {
                return ModelLookup.Failed(ServingErrorCode.NotFound, $"model '{name}' has no version label '{label}'");
            }

            if (version is { } v)
            {
                return versions.TryGetValue(v, out var model)
                    ? ModelLookup.Of(model)
                    : ModelLookup.Failed(ServingErrorCode.NotFound, $"model '{name}' has no version {v}");
            }

            return ModelLookup.Of(versions.Values.Last());
        }
    }

    public IReadOnlyList<ModelVersionStatus> GetStatus(string name, long? version = null)
    {
        lock (_lock)
        {
            return _models.TryGetValue(name, out var versions)
                ? versions.Keys.Where(v => version is null || v == version).Select(v => new ModelVersionStatus(v, ModelVersionState.Available)).ToList()
                : [];
        }
    }

    public IReadOnlyDictionary<string, long> GetLabels(string name) => new Dictionary<string, long>();
}
