namespace Mantle.Serving.Engine;

/// <summary>
/// A model version could not be loaded: missing or unreadable files, or bytes ONNX Runtime refuses.
/// The message names the model, the version and the file, never the model's content.
/// <see cref="ModelRefusedException"/> is the kind that says the version is not trusted.
/// </summary>
public class ModelLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelLoadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
