namespace Mantle.Serving.Engine;

/// <summary>An expected failure of a serving operation, with a message for the caller that names the problem and the fix.</summary>
/// <param name="Code">The kind of error.</param>
/// <param name="Message">What was wrong and what was expected. Never contains tensor data.</param>
public sealed record ServingError(ServingErrorCode Code, string Message);
