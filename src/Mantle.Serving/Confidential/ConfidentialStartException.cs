namespace Mantle.Serving.Confidential;

/// <summary>A confidential start failed; <see cref="Step"/> says where, the message says why and what to check.</summary>
public sealed class ConfidentialStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfidentialStartException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ConfidentialStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ConfidentialStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a step.</summary>
    public ConfidentialStartException(ConfidentialStartStep step, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Step = step;
    }

    /// <summary>The step that failed.</summary>
    public ConfidentialStartStep Step { get; }

    /// <summary>The step's name as the CLI prints it (<c>connect</c>, <c>attest</c>, <c>policy</c>, …).</summary>
    public string StepName => Step.ToString().ToLowerInvariant();
}
