namespace Mantle.Serving.Engine;

/// <summary>
/// A model version was refused because it is not trusted: a plaintext version of a model that accepts sealed
/// versions only, or a sealed version whose manifest is not signed by the configured owner key. The repository logs
/// it as a warning, shows the message in the version's status and never serves the version. The message names the
/// model, the version, the folder, the reason and the fix.
/// </summary>
public sealed class ModelRefusedException : ModelLoadException
{
    /// <summary>Creates the exception.</summary>
    public ModelRefusedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public ModelRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
