using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Tests;

/// <summary>Records log events (id, level, message) for assertions.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    public List<(int EventId, LogLevel Level, string Message)> Events { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Events)
        {
            Events.Add((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
