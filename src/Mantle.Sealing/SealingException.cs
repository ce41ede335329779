namespace Mantle.Sealing;

/// <summary>
/// A sealed model, key or manifest was refused. <see cref="Code"/> says why in a stable form; the message says
/// what was wrong and what to do, and never contains key material or model bytes.
/// </summary>
public sealed class SealingException : Exception
{
    /// <summary>Creates an exception with a code and a message for the caller.</summary>
    public SealingException(SealingErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates an exception with a code, a message and the fault that caused it.</summary>
    public SealingException(SealingErrorCode code, string message, Exception innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>Creates an exception with <see cref="SealingErrorCode.InvalidHeader"/>.</summary>
    public SealingException()
        : this(SealingErrorCode.InvalidHeader, "The sealed input was refused.")
    {
    }

    /// <summary>Creates an exception with <see cref="SealingErrorCode.InvalidHeader"/> and a message.</summary>
    public SealingException(string message)
        : this(SealingErrorCode.InvalidHeader, message)
    {
    }

    /// <summary>Creates an exception with <see cref="SealingErrorCode.InvalidHeader"/>, a message and a cause.</summary>
    public SealingException(string message, Exception innerException)
        : this(SealingErrorCode.InvalidHeader, message, innerException)
    {
    }

    /// <summary>Why the input was refused.</summary>
    public SealingErrorCode Code { get; }
}
