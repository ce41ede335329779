using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mantle.Attestation;
using Mantle.KeyBroker;
using Mantle.KeyBroker.Client;
using Mantle.Serving.Confidential.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Mantle.Serving.Confidential;

/// <summary>
/// The server's side of the key broker protocol, for the life of the process: one ephemeral P-384 key made in memory,
/// attestation with evidence bound to the broker's nonce and that key, renewed when the token nears its expiry; model
/// keys and TLS certificates fetched with the token. An unreachable broker is retried with exponential backoff for
/// <see cref="BrokerSessionOptions.RetryFor"/>.
/// </summary>
public sealed class BrokerSession : IDisposable
{
    private readonly KeyBrokerClient _client;
    private readonly IEvidenceProvider _evidence;
    private readonly BrokerSessionOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly Lock _attemptGate = new();
    private readonly CancellationTokenSource _disposed = new();
    private Task? _attempt;
    private int _disposeCount;

    /// <summary>Creates the session with a fresh TEE key; nothing is sent until the first call.</summary>
    public BrokerSession(BrokerSessionOptions options, IEvidenceProvider evidence, ILogger<BrokerSession>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(evidence);
        Created = Stopwatch.GetTimestamp();
        _options = options;
        _evidence = evidence;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _client = new KeyBrokerClient(options.BrokerUrl, options.BrokerCaPem);
        _retry = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is KeyBrokerException { IsTransient: true }
                    && args.Context.Properties.GetValue(StartedKey, 0L) is var started
                    && options.TimeProvider.GetElapsedTime(started) < options.RetryFor),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    ConfidentialLog.BrokerRetry(_logger, options.BrokerUrl, args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds, args.Outcome.Exception!.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private static readonly ResiliencePropertyKey<long> StartedKey = new("mantle.started");

    /// <summary>When the session was made (a <see cref="Stopwatch"/> timestamp): where a confidential start's time to ready counts from.</summary>
    internal long Created { get; }

    /// <summary>The broker's URL.</summary>
    public Uri BrokerUrl => _options.BrokerUrl;

    /// <summary>The claims the broker accepted at the last attestation (from its token); null before the first.</summary>
    public AttestationClaims? Claims { get; private set; }

    /// <summary>How long the first attestation took (auth, evidence, attest), including retries.</summary>
    public TimeSpan? FirstAttestation { get; private set; }

    /// <summary>
    /// Attests now unless the token is still valid for longer than the renewal margin. Callers that arrive while an
    /// attestation runs wait for that one and share its outcome, so a start that asks for a key and a certificate at
    /// once attests once, and a broker that cannot be reached is retried for one <see cref="BrokerSessionOptions.RetryFor"/>, not one per caller.
    /// </summary>
    /// <param name="cancellationToken">Stops this caller's wait; the attestation itself runs on until it ends or the session is disposed.</param>
    /// <exception cref="ConfidentialStartException">
    /// <see cref="ConfidentialStartStep.Connect"/> (broker unreachable after retries, TLS to the broker failed),
    /// <see cref="ConfidentialStartStep.Attest"/> (no evidence from the TEE, evidence refused) or
    /// <see cref="ConfidentialStartStep.Policy"/> (a claim refused by the broker's policy, each named).
    /// </exception>
    public Task EnsureAttestedAsync(CancellationToken cancellationToken = default) =>
        IsTokenFresh() ? Task.CompletedTask : JoinAttemptAsync(renew: false, cancellationToken);

    /// <summary>
    /// Starts attesting in the background unless the token is fresh, and returns at once: a caller with other work to do
    /// before it needs the token (reading its options, loading files) does it while the broker checks the evidence. The
    /// outcome is what the next <see cref="EnsureAttestedAsync"/> (or any call that needs the token) gets.
    /// </summary>
    public void BeginAttestation()
    {
        if (!IsTokenFresh())
        {
            _ = JoinAttemptAsync(renew: false, CancellationToken.None);
        }
    }

    /// <summary>Fetches a resource released to this TEE key (a model key), attesting first when needed.</summary>
    /// <exception cref="KeyBrokerException">The broker refused the release (403 with reasons, 404 unknown).</exception>
    /// <exception cref="ConfidentialStartException">The broker is unreachable, or attestation failed.</exception>
    public Task<byte[]> ReleaseAsync(string path, CancellationToken cancellationToken = default) =>
        WithTokenAsync(ct => _client.GetResourceAsync(path, ct), cancellationToken);

    /// <summary>Asks the broker's CA for a server certificate for this TEE key, naming <paramref name="dnsNames"/>; returns it with the private key.</summary>
    /// <exception cref="KeyBrokerException">The broker refused (a DNS name not allowed by its certificate policy).</exception>
    /// <exception cref="ConfidentialStartException">The broker is unreachable, or attestation failed.</exception>
    public Task<X509Certificate2> RequestCertificateAsync(IReadOnlyList<string> dnsNames, CancellationToken cancellationToken = default) =>
        WithTokenAsync(ct => _client.RequestServerCertificateAsync(dnsNames, ct), cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeCount, 1) != 0)
        {
            return;
        }

        _disposed.Cancel();
        _client.Dispose();
        _disposed.Dispose();
    }

    private bool IsTokenFresh() =>
        _client.TokenExpires is { } expires && expires - _options.TokenRenewalMargin > _options.TimeProvider.GetUtcNow();

    private async Task<T> WithTokenAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await EnsureAttestedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RetryAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyBrokerException ex) when (ex.StatusCode == HttpStatusCode.Unauthorized)
        {
            // The token expired early or the broker restarted with new token keys: attest once more, then ask again.
            await JoinAttemptAsync(renew: true, cancellationToken).ConfigureAwait(false);
            return await RetryAsync(call, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the attestation that runs, or starts one (when the token is not fresh, or <paramref name="renew"/>).</summary>
    private Task JoinAttemptAsync(bool renew, CancellationToken cancellationToken)
    {
        Task attempt;
        lock (_attemptGate)
        {
            if (_attempt is null || _attempt.IsCompleted)
            {
                if (!renew && IsTokenFresh())
                {
                    return Task.CompletedTask;
                }

                // On the pool: the caller goes on with what does not need the token while evidence is made and checked.
                var stop = _disposed.Token;
                _attempt = Task.Run(() => AttestCoreAsync(stop), stop);
            }

            attempt = _attempt;
        }

        return attempt.WaitAsync(cancellationToken);
    }

    private async Task AttestCoreAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        string token;
        try
        {
            token = await RetryAsync(ct => _client.AttestAsync(_evidence, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (AttestationException ex)
        {
            throw new ConfidentialStartException(ConfidentialStartStep.Attest,
                $"This server's TEE ({_evidence.Tee.ToName()}) gave no evidence: {ex.Message}", ex);
        }
        catch (KeyBrokerException ex) when (ex.Reasons.Count > 0)
        {
            throw new ConfidentialStartException(ConfidentialStartStep.Policy,
                $"The key broker's attestation policy refused this server: {string.Join("; ", ex.Reasons)}. "
                + "Either this is not the build the policy pins, or the policy needs updating ('mantle broker policy set').", ex);
        }
        catch (KeyBrokerException ex)
        {
            throw new ConfidentialStartException(ConfidentialStartStep.Attest, $"The key broker refused this server's evidence: {ex.Detail}", ex);
        }

        Claims = ReadClaims(token);
        FirstAttestation ??= stopwatch.Elapsed;
        var tee = _evidence.Tee.ToName();
        ConfidentialLog.Attested(_logger, _options.BrokerUrl, tee, Claims?.Measurement ?? "?", Claims?.TcbStatus ?? "?", stopwatch.ElapsedMilliseconds, _client.TokenExpires);
    }

    /// <summary>Runs a broker call, retrying while the broker is unreachable; then fails with the connect step.</summary>
    private async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var started = _options.TimeProvider.GetTimestamp();
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StartedKey, started);
        try
        {
            return await _retry.ExecuteAsync(async ctx => await call(ctx.CancellationToken).ConfigureAwait(false), context).ConfigureAwait(false);
        }
        catch (KeyBrokerException ex) when (ex.StatusCode is null || ex.IsTransient)
        {
            var waited = _options.TimeProvider.GetElapsedTime(started);
            throw new ConfidentialStartException(ConfidentialStartStep.Connect, ex.IsTransient
                ? $"Cannot reach the key broker at {_options.BrokerUrl} (tried for {waited.TotalSeconds:0} s, --broker-timeout {_options.RetryFor.TotalSeconds:0} s): "
                    + $"{(ex.InnerException ?? ex).Message.TrimEnd('.')}. Check that the broker runs and that --broker names it."
                : $"{ex.Detail} Check --broker-ca.", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static AttestationClaims? ReadClaims(string token)
    {
        // Informational only (logs, the start summary): the token came over the broker connection this session trusts.
        try
        {
            using var payload = JsonDocument.Parse(Jose.JWT.Payload(token));
            return payload.RootElement.TryGetProperty("claims", out var claims) ? AttestationClaimsJson.Parse(claims) : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or Jose.JoseException)
        {
            return null;
        }
    }
}
