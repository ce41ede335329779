namespace Mantle.Serving.Engine;

/// <summary>The life-cycle state of a model version, as TF Serving reports it.</summary>
public enum ModelVersionState
{
    /// <summary>Not known to the server.</summary>
    Unknown = 0,

    /// <summary>Found, not yet loading.</summary>
    Start = 10,

    /// <summary>Being loaded (for a sealed model: being verified and unsealed).</summary>
    Loading = 20,

    /// <summary>Serving.</summary>
    Available = 30,

    /// <summary>Being unloaded.</summary>
    Unloading = 40,

    /// <summary>Unloaded, or failed to load (see the status error).</summary>
    End = 50,
}
