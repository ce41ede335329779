using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Tests;

/// <summary>Collects every log message so tests can check that nothing unexpected (or secret) was logged.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory, ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, int EventId, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, int EventId, string Message)> Entries => [.. _entries];

    public IEnumerable<string> Errors => _entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((logLevel, category, eventId.Id, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
    }
}
