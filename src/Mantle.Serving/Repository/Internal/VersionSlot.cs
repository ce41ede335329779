using Mantle.Serving.Engine;

namespace Mantle.Serving.Repository.Internal;

/// <summary>The life-cycle of one version folder of one model.</summary>
internal sealed class VersionSlot(long version)
{
    public long Version { get; } = version;

    public ModelVersionState State { get; set; } = ModelVersionState.Start;

    public ServingError? Error { get; set; }

    public IServableModel? Model { get; set; }

    /// <summary>What the folder looked like when loading failed; a changed folder is tried again.</summary>
    public string? FailedFingerprint { get; set; }
}
