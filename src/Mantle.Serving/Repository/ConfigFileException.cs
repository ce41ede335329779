namespace Mantle.Serving.Repository;

/// <summary>
/// A configuration file (<c>--model_config_file</c>, <c>--batching_parameters_file</c>) is malformed or
/// asks for something Mantle does not do. The message starts with <c>file:line:column:</c>.
/// </summary>
public sealed class ConfigFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigFileException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ConfigFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ConfigFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
