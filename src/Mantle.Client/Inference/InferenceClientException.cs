namespace Mantle.Client.Inference;

/// <summary>The server refused or failed a request; the message is the server's error text.</summary>
public sealed class InferenceClientException : Exception
{
    /// <summary>Creates an exception with the status the server answered and its message.</summary>
    public InferenceClientException(string status, string message)
        : base($"{status}: {message}") => Status = status;

    /// <summary>Creates an exception with the status, message and cause.</summary>
    public InferenceClientException(string status, string message, Exception innerException)
        : base($"{status}: {message}", innerException) => Status = status;

    /// <summary>The HTTP status code or gRPC status name the server answered with.</summary>
    public string Status { get; }
}
