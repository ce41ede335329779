using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>Keeps every log event, for tests that check what was logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public List<(EventId Id, LogLevel Level, string Message)> Events { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Events.Add((eventId, logLevel, formatter(state, exception)));
}
