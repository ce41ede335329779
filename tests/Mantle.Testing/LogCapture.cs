using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mantle.Testing;

/// <summary>
/// Keeps every log entry in memory so that tests can check what was, and was not, logged. Use it as the
/// <see cref="ILoggerFactory"/> of the code under test, or add it as a provider to a host's logging.
/// </summary>
public sealed class LogCapture : ILoggerFactory, ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>The entries logged so far, oldest first.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>The entries at <see cref="LogLevel.Error"/> or above, each as <c>category: message</c>.</summary>
    public IEnumerable<string> Errors => Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}");

    /// <summary>Every message logged so far, one after the other.</summary>
    public string AllText() => string.Join("\n", Entries.Select(e => e.Message));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>A typed logger whose entries this capture keeps, for code that takes an <see cref="ILogger{T}"/>.</summary>
    public ILogger<T> CreateLogger<T>() => new Logger<T>(this);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new LogEntry(logLevel, category, eventId.Id, formatter(state, exception) + (exception is null ? string.Empty : "\n" + exception)));
    }
}
