namespace Mantle.Serving.Engine;

/// <summary>The models a server serves: lookup by name and version or label, and version states.</summary>
public interface IModelRepository
{
    /// <summary>The names of all configured models.</summary>
    IReadOnlyCollection<string> ModelNames { get; }

    /// <summary>True when every configured model has at least one available version (the server is ready).</summary>
    bool IsReady { get; }

    /// <summary>
    /// Finds a version: the given version, else the version the label points to, else the latest
    /// available version. At most one of <paramref name="version"/> and <paramref name="label"/> is set.
    /// </summary>
    ModelLookup Find(string name, long? version = null, string? label = null);

    /// <summary>The states of the versions of a model (all known versions, or the one asked for); empty for an unknown name or version.</summary>
    IReadOnlyList<ModelVersionStatus> GetStatus(string name, long? version = null);

    /// <summary>The version labels of a model (label → version).</summary>
    IReadOnlyDictionary<string, long> GetLabels(string name);
}
