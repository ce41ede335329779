using Mantle.Serving.Engine;

namespace Mantle.Serving.Repository.Internal;

/// <summary>One configured model: its version slots and a lock-free snapshot of the available versions.</summary>
internal sealed class ModelEntry(ModelConfig config)
{
    private IServableModel[] _available = [];
    private ModelConfig _config = config;

    /// <summary>The model's configuration; replaced as a whole when the config file changes.</summary>
    public ModelConfig Config
    {
        get => Volatile.Read(ref _config);
        set => Volatile.Write(ref _config, value);
    }

    public SortedDictionary<long, VersionSlot> Slots { get; } = [];

    /// <summary>A sealed version folder has been seen in the base path; stays true, so removing it does not re-admit plaintext.</summary>
    public bool HasSealedVersions { get; set; }

    /// <summary>Available versions in ascending order; replaced as a whole, read without locks.</summary>
    public IServableModel[] Available
    {
        get => Volatile.Read(ref _available);
        set => Volatile.Write(ref _available, value);
    }
}
