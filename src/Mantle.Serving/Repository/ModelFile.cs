namespace Mantle.Serving.Repository;

/// <summary>A model file of one version.</summary>
/// <param name="Version">The version (the folder's name).</param>
/// <param name="Path">The file.</param>
public sealed record ModelFile(long Version, string Path);
