namespace Mantle.Serving.Engine;

/// <summary>The state of one version of a model, with the load error if it failed.</summary>
/// <param name="Version">The version number.</param>
/// <param name="State">The life-cycle state.</param>
/// <param name="Error">Why the version failed to load, or null.</param>
public sealed record ModelVersionStatus(long Version, ModelVersionState State, ServingError? Error = null);
