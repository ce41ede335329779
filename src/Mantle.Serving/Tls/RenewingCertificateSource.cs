using System.Security.Cryptography.X509Certificates;
using Mantle.Serving.Confidential.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Serving.Tls;

/// <summary>
/// A certificate that is made again before it expires, while serving: at <see cref="RenewAt"/> of its lifetime a new one
/// is issued and used for new handshakes; open connections keep theirs, so nothing is dropped. A failed renewal keeps
/// the current certificate and is retried (a tenth of the remaining lifetime later, at least every second) until it expires.
/// Broker-issued certificates (<c>broker-ca</c>) and RA-TLS certificates (<c>ra-tls</c>) are both made this way.
/// </summary>
public sealed class RenewingCertificateSource : IServerCertificateSource, IAsyncDisposable
{
    /// <summary>The fraction of a certificate's lifetime after which it is renewed.</summary>
    public const double RenewAt = 2.0 / 3.0;

    private readonly Func<CancellationToken, Task<X509Certificate2>> _issue;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private X509Certificate2 _current;
    private X509Certificate2? _previous;
    private DateTimeOffset _receivedAt;
    private Task _renewing = Task.CompletedTask;

    private RenewingCertificateSource(string mode, Func<CancellationToken, Task<X509Certificate2>> issue, X509Certificate2 first, TimeProvider time, ILogger logger)
    {
        Mode = mode;
        _issue = issue;
        _current = first;
        _time = time;
        _receivedAt = time.GetUtcNow();
        _logger = logger;
    }

    /// <inheritdoc />
    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <inheritdoc />
    public string Mode { get; }

    /// <summary>How many certificates were issued after the first.</summary>
    public int Renewals { get; private set; }

    /// <summary>Issues the first certificate (failures propagate), then keeps renewing in the background.</summary>
    public static async Task<RenewingCertificateSource> StartAsync(
        string mode, Func<CancellationToken, Task<X509Certificate2>> issue, TimeProvider? timeProvider = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issue);
        var first = await issue(cancellationToken).ConfigureAwait(false);
        var source = new RenewingCertificateSource(mode, issue, first, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance);
        source.LogReady(first);
        source._renewing = source.RenewLoopAsync();
        return source;
    }

    /// <summary>Stops renewing and releases the certificates.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
        _previous?.Dispose();
        _current.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            // The schedule runs on this machine's clock from when the certificate arrived, so a skew between the
            // issuer's clock and this one cannot make it renew in a loop or too late.
            var current = Current;
            var lifetime = current.NotAfter.ToUniversalTime() - current.NotBefore.ToUniversalTime();
            var notAfter = _receivedAt + lifetime;
            var wait = _receivedAt + (lifetime * RenewAt) - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, _stopping.Token).ConfigureAwait(false);
            }

            while (!_stopping.IsCancellationRequested)
            {
                try
                {
                    var next = await _issue(_stopping.Token).ConfigureAwait(false);
                    // Handshakes that picked the previous certificate may still be running: keep it one more round.
                    _previous?.Dispose();
                    _previous = Interlocked.Exchange(ref _current, next);
                    _receivedAt = _time.GetUtcNow();
                    Renewals++;
                    LogReady(next);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
                {
                    var retry = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, (notAfter - _time.GetUtcNow()).Ticks / 10));
                    ConfidentialLog.CertificateRenewalFailed(_logger, Mode, current.NotAfter, (long)retry.TotalMilliseconds, ex.Message);
                    await Task.Delay(retry, _time, _stopping.Token).ConfigureAwait(false);
                }
            }
        }
    }

    private void LogReady(X509Certificate2 certificate)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
            ConfidentialLog.CertificateReady(_logger, Mode, names.Count > 0 ? string.Join(", ", names) : certificate.Subject, certificate.NotAfter);
        }
    }
}
