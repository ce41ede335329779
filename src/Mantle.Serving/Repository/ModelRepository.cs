using System.Diagnostics;
using System.Security.Cryptography;
using Mantle.Serving.Engine;
using Mantle.Serving.Repository.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Serving.Repository;

/// <summary>
/// Serves the models of a TF Serving style repository (<c>base_path/&lt;version&gt;/…</c>): loads the
/// versions each model's policy asks for, unloads the others, and keeps the last good versions
/// serving when a new one fails to load or is refused. A model accepts sealed versions only when
/// <see cref="ModelRepositoryOptions.RequireSealed"/> is set or its base path holds a sealed version,
/// unless <see cref="ModelRepositoryOptions.AllowPlaintext"/> names it. <see cref="RefreshAsync"/>
/// re-reads the folders (polling). Lookups are lock-free.
/// </summary>
/// <remarks>
/// Three things guard the state, each for one kind of access:
/// <list type="bullet">
/// <item><c>_refreshLock</c> (async, one holder) serializes every change of what is loaded: refresh, reconfigure,
/// withdraw and dispose. Loading a version (which awaits I/O, a key broker and ONNX Runtime) happens under it, so two
/// changes never interleave.</item>
/// <item><c>_stateLock</c> guards the fields of each version slot (state, error, model), which status queries read
/// while a change is under way.</item>
/// <item>No lock for lookups on the request path: the model table (<c>_models</c>) and each model's available versions
/// are immutable snapshots replaced as a whole and read with volatile semantics.</item>
/// </list>
/// </remarks>
public sealed partial class ModelRepository : IModelRepository, IAsyncDisposable
{
    private volatile Dictionary<string, ModelEntry> _models;
    private readonly ModelRepositoryOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly Lock _stateLock = new();
    private bool _disposed;

    /// <summary>Creates the repository; nothing is loaded until <see cref="LoadAsync"/>.</summary>
    /// <exception cref="ArgumentException">Two models share a name, or a model is not an ONNX model.</exception>
    public ModelRepository(IEnumerable<ModelConfig> models, ModelRepositoryOptions? options = null, ILogger<ModelRepository>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        _options = options ?? new ModelRepositoryOptions();
        _logger = logger ?? NullLogger<ModelRepository>.Instance;
        _models = CheckConfigs(models).ToDictionary(c => c.Name, c => new ModelEntry(c), StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> ModelNames => _models.Keys;

    /// <inheritdoc />
    public bool IsReady => _models.Values.All(m => m.Available.Length > 0);

    /// <summary>
    /// Loads every model for the first time. Fails when a model has no loadable version or a label
    /// points at a version that is not available: a server without its models must not start.
    /// </summary>
    /// <exception cref="ModelLoadException">The message names every model that failed and why (the files).</exception>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken);
        var problems = new List<string>();
        foreach (var entry in _models.Values)
        {
            var available = entry.Available;
            if (available.Length == 0 && !Directory.Exists(entry.Config.BasePath))
            {
                problems.Add($"Model '{entry.Config.Name}': base path {entry.Config.BasePath} does not exist or cannot be read.");
                continue;
            }

            if (available.Length == 0)
            {
                string reason;
                lock (_stateLock)
                {
                    var errors = entry.Slots.Values.Where(s => s.Error is not null).Select(s => s.Error!.Message).ToList();
                    reason = errors.Count > 0
                        ? string.Join(" ", errors)
                        : ListVersionFolders(entry.Config) is { Count: > 0 } found
                            ? $"no version found matches its version policy ({entry.Config.VersionPolicy}); found versions {string.Join(", ", found.Keys)} under {entry.Config.BasePath}."
                            : $"no version folder (a number, such as {Path.Combine(entry.Config.BasePath, "1")}) with a model under {entry.Config.BasePath}.";
                }

                problems.Add($"Model '{entry.Config.Name}' has no loadable version: {reason}");
                continue;
            }

            foreach (var (label, version) in entry.Config.Labels)
            {
                if (!available.Any(m => m.Version == version))
                {
                    problems.Add($"Model '{entry.Config.Name}' label '{label}' points at version {version}, which is not available (available: {string.Join(", ", available.Select(m => m.Version))}).");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ModelLoadException(string.Join(Environment.NewLine, problems));
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            foreach (var entry in _models.Values)
            {
                var versions = string.Join(", ", entry.Available.Select(m => m.Version));
                ServingLog.ModelReady(_logger, entry.Config.Name, versions);
            }
        }
    }

    /// <summary>
    /// Re-reads every model's base path: loads new versions the policy wants, unloads versions it no
    /// longer wants once their replacements are available. A version that fails to load or is refused
    /// (a plaintext version of a model that accepts sealed versions only, a sealed version signed by
    /// another key) is kept in state END with its error and not retried until its folder changes; the
    /// policy then picks the next older version, so a refused newer version leaves the older one serving.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var entry in _models.Values)
            {
                await RefreshModelAsync(entry, cancellationToken);
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

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

    /// <summary>Unloads every version.</summary>
    public async ValueTask DisposeAsync()
    {
        await _refreshLock.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var entry in _models.Values)
            {
                await UnloadAllAsync(entry);
            }
        }
        finally
        {
            _refreshLock.Release();
        }

        _refreshLock.Dispose();
    }

    private async Task RefreshModelAsync(ModelEntry entry, CancellationToken cancellationToken)
    {
        var config = entry.Config;
        var folders = ListVersionFolders(config);
        if (folders is null)
        {
            return;
        }

        NoteSealedVersions(entry, folders.Values);
        var wanted = new HashSet<long>();
        var candidates = folders.Keys.OrderDescending().ToList();
        if (config.VersionPolicy.Kind == ModelVersionPolicyKind.Specific)
        {
            candidates = [.. candidates.Where(config.VersionPolicy.Versions.Contains)];
        }

        var limit = config.VersionPolicy.Kind == ModelVersionPolicyKind.Latest ? config.VersionPolicy.LatestCount : int.MaxValue;
        foreach (var version in candidates)
        {
            if (wanted.Count >= limit)
            {
                break;
            }

            if (await EnsureLoadedAsync(entry, version, folders[version], cancellationToken))
            {
                wanted.Add(version);
            }
        }

        // Unload only what the policy no longer wants; a failed newer version leaves the old one serving.
        foreach (var model in entry.Available.Where(m => !wanted.Contains(m.Version)).ToList())
        {
            lock (_stateLock)
            {
                entry.Slots[model.Version].State = ModelVersionState.Unloading;
            }

            entry.Available = [.. entry.Available.Where(m => m.Version != model.Version)];
            await DisposeModelAsync(model);
            lock (_stateLock)
            {
                var slot = entry.Slots[model.Version];
                slot.State = ModelVersionState.End;
                slot.Model = null;
            }

            ServingLog.VersionUnloaded(_logger, config.Name, model.Version);
        }

        lock (_stateLock)
        {
            // Versions whose folders disappeared and that never loaded are forgotten.
            foreach (var gone in entry.Slots.Where(s => !folders.ContainsKey(s.Key) && s.Value.State != ModelVersionState.End).Select(s => s.Value).ToList())
            {
                gone.State = ModelVersionState.End;
            }
        }
    }

    private async Task<bool> EnsureLoadedAsync(ModelEntry entry, long version, string folder, CancellationToken cancellationToken)
    {
        var config = entry.Config;
        if (entry.Available.Any(m => m.Version == version))
        {
            return true;
        }

        var fingerprint = VersionFolders.Fingerprint(folder);
        VersionSlot slot;
        lock (_stateLock)
        {
            if (!entry.Slots.TryGetValue(version, out slot!) || (slot.State == ModelVersionState.End && slot.Error is null))
            {
                slot = new VersionSlot(version);
                entry.Slots[version] = slot;
            }

            if (slot.FailedFingerprint is not null && slot.FailedFingerprint == fingerprint)
            {
                return false;
            }

            slot.State = ModelVersionState.Loading;
            slot.Error = null;
        }

        var stopwatch = Stopwatch.StartNew();
        try
        {
            var (model, isSealed) = await LoadVersionAsync(entry, version, folder, cancellationToken);
            entry.Available = [.. entry.Available.Append(model).OrderBy(m => m.Version)];
            lock (_stateLock)
            {
                slot.State = ModelVersionState.Available;
                slot.Model = model;
                slot.FailedFingerprint = null;
            }

            ServingLog.VersionLoaded(_logger, config.Name, version, isSealed ? "sealed" : "plaintext", folder, stopwatch.ElapsedMilliseconds);
            return true;
        }
        catch (ModelLoadException ex)
        {
            lock (_stateLock)
            {
                slot.State = ModelVersionState.End;
                slot.Error = new ServingError(ServingErrorCode.FailedPrecondition, ex.Message);
                slot.FailedFingerprint = fingerprint;
            }

            if (ex is ModelRefusedException)
            {
                ServingLog.VersionRefused(_logger, config.Name, version, ex.Message);
            }
            else
            {
                ServingLog.VersionLoadFailed(_logger, config.Name, version, ex.Message);
            }

            return false;
        }
    }

    private async Task<(IServableModel Model, bool IsSealed)> LoadVersionAsync(ModelEntry entry, long version, string folder, CancellationToken cancellationToken)
    {
        var config = entry.Config;
        var source = _options.Sources.FirstOrDefault(s => s.CanRead(folder))
            ?? throw new ModelLoadException($"Model '{config.Name}' version {version}: {folder} holds no {OnnxFileSource.FileName} (or sealed model) to load.");
        ThrowIfPlaintextRefused(entry, source, version, folder);
        byte[] bytes;
        try
        {
            bytes = await source.ReadAsync(folder, cancellationToken);
        }
        catch (ModelRefusedException ex)
        {
            throw new ModelRefusedException($"Model '{config.Name}' version {version}: {ex.Message}", ex);
        }
        catch (ModelLoadException ex)
        {
            throw new ModelLoadException($"Model '{config.Name}' version {version}: {ex.Message}", ex);
        }

        Onnx.OnnxModel model;
        try
        {
            model = Onnx.OnnxModel.Load(config.Name, version, bytes, _options.Onnx);
            model.Metrics = _options.Metrics;
        }
        catch (ModelLoadException ex)
        {
            throw new ModelLoadException($"{ex.Message} (folder {folder})", ex);
        }
        finally
        {
            // The bytes may be a decrypted model: do not leave them lying in memory.
            CryptographicOperations.ZeroMemory(bytes);
        }

        IServableModel servable = _options.Batching is { } batching
            ? new Batching.Internal.BatchingModel(model, batching, _options.Metrics)
            : model;
        return (servable, source.IsSealed);
    }

    private SortedDictionary<long, string>? ListVersionFolders(ModelConfig config)
    {
        try
        {
            return VersionFolders.List(config.BasePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ServingLog.BasePathUnreadable(_logger, config.Name, config.BasePath, ex.Message);
            return null;
        }
    }

    private static async ValueTask DisposeModelAsync(IServableModel model)
    {
        switch (model)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private static string FormatVersions(IServableModel[] available) =>
        available.Length == 0 ? "none" : string.Join(", ", available.Select(m => m.Version));

    private static string FormatLabels(ModelEntry entry) =>
        entry.Config.Labels.Count == 0 ? "none" : string.Join(", ", entry.Config.Labels.Keys);
}
