using Microsoft.Extensions.Logging;

namespace Mantle.Testing;

/// <summary>One entry that <see cref="LogCapture"/> kept.</summary>
/// <param name="Level">The level it was logged at.</param>
/// <param name="Category">The logger's category (usually the full name of the logging type).</param>
/// <param name="EventId">The event id (0 when none was given).</param>
/// <param name="Message">The formatted message, followed on the next line by the exception when one was logged.</param>
public sealed record LogEntry(LogLevel Level, string Category, int EventId, string Message);
