using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Mantle.Attestation;
using Mantle.KeyBroker.Client;
using Mantle.Sealing;
using Mantle.Serving.Confidential.Internal;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Serving.Confidential;

/// <summary>
/// A server started the confidential way: before any port opens, a fresh P-384 key is made in memory and attested to the
/// key broker with evidence bound to the broker's nonce and that key; the TLS certificate is obtained (broker-issued,
/// RA-TLS or a sealed static key); every sealed version is verified against the owner key, its model key fetched from the
/// broker as a JWE and kept in memory only, unsealed, hash-checked and loaded. Only then do the listeners open. While
/// serving, keys for new versions are fetched as they appear (attesting again when the token nears expiry), the
/// certificate is renewed, and a model key the broker no longer releases unloads the versions sealed with it.
/// </summary>
public sealed class ConfidentialServer : IAsyncDisposable
{
    private readonly BrokerSession _session;
    private readonly BrokerKeyResolver _keys;
    private readonly SealedModelSource _sealed;
    private readonly IAsyncDisposable _certificates;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _keyChecks = Task.CompletedTask;

    private ConfidentialServer(
        ServingServer server, BrokerSession session, BrokerKeyResolver keys, SealedModelSource sealedSource, IServerCertificateSource? certificates, ConfidentialStartTimings timings, ILogger logger)
    {
        Server = server;
        _session = session;
        _keys = keys;
        _sealed = sealedSource;
        Certificates = certificates;
        _certificates = certificates as IAsyncDisposable ?? new DisposableAdapter(certificates as IDisposable);
        Timings = timings;
        _logger = logger;
    }

    /// <summary>The running server.</summary>
    public ServingServer Server { get; }

    /// <summary>The server's certificate source; null when it serves plaintext.</summary>
    public IServerCertificateSource? Certificates { get; }

    /// <summary>The claims the broker accepted for this server.</summary>
    public AttestationClaims? Claims => _session.Claims;

    /// <summary>Where the start spent its time.</summary>
    public ConfidentialStartTimings Timings { get; }

    /// <summary>Runs the confidential start (see the type's summary) and returns the serving server.</summary>
    /// <param name="serving">Listeners, models and limits; its TLS settings and sealed source are set here.</param>
    /// <param name="options">Broker, TEE, owner key and TLS mode.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ConfidentialStartException">A step failed; <see cref="ConfidentialStartException.Step"/> names it and the message gives the reason.</exception>
    /// <exception cref="ArgumentException">The serving options are invalid.</exception>
    public static Task<ConfidentialServer> StartAsync(ServingServerOptions serving, ConfidentialServingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serving);
        ArgumentNullException.ThrowIfNull(options);

        // Before anything is asked of the broker: a bad option fails the start at once.
        ServingServer.ThrowIfInvalid(serving);
        var loggerFactory = serving.LoggerFactory ?? NullLoggerFactory.Instance;
        return StartCoreAsync(serving, options, new BrokerSession(options.Broker, options.Evidence, loggerFactory.CreateLogger<BrokerSession>()), cancellationToken);
    }

    /// <summary>
    /// As <see cref="StartAsync(ServingServerOptions, ConfidentialServingOptions, CancellationToken)"/>, over a session the
    /// caller made (for <see cref="ConfidentialServingOptions.Broker"/> and <see cref="ConfidentialServingOptions.Evidence"/>)
    /// and may have started attesting already (<see cref="BrokerSession.BeginAttestation"/>), so that attestation runs
    /// while the caller reads its options. The server owns the session from this call on, and disposes it if the start fails.
    /// </summary>
    /// <exception cref="ConfidentialStartException">A step failed; <see cref="ConfidentialStartException.Step"/> names it and the message gives the reason.</exception>
    /// <exception cref="ArgumentException">The serving options are invalid.</exception>
    public static Task<ConfidentialServer> StartAsync(ServingServerOptions serving, ConfidentialServingOptions options, BrokerSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serving);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(session);
        try
        {
            ServingServer.ThrowIfInvalid(serving);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        return StartCoreAsync(serving, options, session, cancellationToken);
    }

    /// <summary>The start itself, over valid serving options and a session it owns from here on.</summary>
    private static async Task<ConfidentialServer> StartCoreAsync(ServingServerOptions serving, ConfidentialServingOptions options, BrokerSession session, CancellationToken cancellationToken)
    {
        var started = session.Created;
        var loggerFactory = serving.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<ConfidentialServer>();
        var keys = new BrokerKeyResolver(session, loggerFactory.CreateLogger<BrokerKeyResolver>());
        IServerCertificateSource? certificates = null;
        Task<IServerCertificateSource?>? issuing = null;
        using var startCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var firstUnsealed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // Attestation runs while everything that does not need it goes on: the web applications are built and each
            // sealed manifest is verified. The model keys come next, as they are what unsealing waits for; the certificate
            // is asked for once the first version is unsealed (or none is left to unseal), so that it is issued while
            // ONNX Runtime loads rather than alongside the key release and the decryption. The listeners open last.
            var attesting = session.EnsureAttestedAsync(startCancel.Token);
            issuing = StartCertificatesAsync(Task.WhenAll(attesting, firstUnsealed.Task), options, session, keys, loggerFactory, startCancel.Token);
            var sealedSource = new SealedModelSource(options.OwnerKey, keys, loggerFactory.CreateLogger<SealedModelSource>());
            var tracking = new StepTrackingSource(sealedSource, keys, () => firstUnsealed.TrySetResult());
            serving.Repository.Sources.Insert(0, tracking);
            // With a broker, a plaintext version could only be the host's model in place of the owner's.
            serving.Repository.RequireSealed = true;
            // The listeners are configured while the models load; they open only once the certificate is set.
            var pending = options.Tls is null ? null : new PendingCertificateSource();
            serving.Tls = pending is null ? null : new ServingTlsOptions { Certificates = pending, ClientCertificateAuthorities = options.ClientCertificateAuthorities };
            ServingServer server;
            try
            {
                server = await ServingServer.StartAsync(serving, async _ =>
                {
                    // No port opens before the broker accepted this server, even with no sealed version to load yet.
                    await attesting.ConfigureAwait(false);
                    firstUnsealed.TrySetResult();
                    certificates = await issuing.ConfigureAwait(false);
                    if (certificates is not null)
                    {
                        pending!.Set(certificates);
                    }
                }, startCancel.Token).ConfigureAwait(false);
            }
            catch (ModelLoadException) when (tracking.AttestationFailure is { } attestFailed)
            {
                // A model key waited for the attestation, which failed: that failure, with its own step, is the reason.
                ExceptionDispatchInfo.Throw(attestFailed);
                throw;
            }
            catch (ModelLoadException ex)
            {
                throw new ConfidentialStartException(tracking.FirstFailure ?? ConfidentialStartStep.Unseal, ex.Message, ex);
            }

            var timings = new ConfidentialStartTimings(
                session.FirstAttestation ?? TimeSpan.Zero, keys.ReleaseTime, keys.ReleasedKeys,
                sealedSource.UnsealTime, tracking.UnsealedBytes, Stopwatch.GetElapsedTime(started));
            ConfidentialLog.Ready(logger, (long)timings.ToReady.TotalMilliseconds, (long)timings.Attestation.TotalMilliseconds, timings.KeysReleased,
                (long)timings.KeyRelease.TotalMilliseconds);
            var confidential = new ConfidentialServer(server, session, keys, sealedSource, certificates, timings, logger);
            if (options.KeyCheckInterval > TimeSpan.Zero)
            {
                confidential._keyChecks = confidential.CheckKeysAsync(options.KeyCheckInterval, options.Broker.TimeProvider);
            }

            return confidential;
        }
        catch
        {
            // Whatever still waits for the attestation stops waiting; disposing the session stops the attestation.
            await startCancel.CancelAsync().ConfigureAwait(false);
            firstUnsealed.TrySetCanceled(startCancel.Token);
            if (certificates is null && issuing is not null)
            {
                // The models failed while a certificate was being issued: wait for it, to release it.
                await ((Task)issuing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                certificates = issuing.IsCompletedSuccessfully ? issuing.Result : null;
            }

            switch (certificates)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }

            keys.Dispose();
            session.Dispose();
            throw;
        }
    }

    /// <summary>Asks the broker for every held key now and unloads the versions of keys it no longer releases.</summary>
    /// <returns>The versions unloaded, as <c>model:version</c>.</returns>
    public async Task<IReadOnlyList<string>> CheckKeysAsync(CancellationToken cancellationToken = default)
    {
        var unloaded = new List<string>();
        foreach (var (keyId, reason) in await _keys.RecheckAsync(cancellationToken).ConfigureAwait(false))
        {
            var folders = _sealed.FoldersSealedWith(keyId).ToHashSet(StringComparer.Ordinal);
            var versions = Server.Repository is ModelRepository repository
                ? await repository.WithdrawAsync(folders.Contains, $"Model key {keyId} is no longer released by the key broker: {reason}", cancellationToken).ConfigureAwait(false)
                : [];
            ConfidentialLog.KeyWithdrawn(_logger, keyId, reason, versions.Count == 0 ? "none" : string.Join(", ", versions));
            unloaded.AddRange(versions);
        }

        return unloaded;
    }

    /// <summary>Stops accepting calls and lets running ones finish.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _keyChecks.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await Server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server and clears the keys and certificates it held.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await Server.DisposeAsync().ConfigureAwait(false);
        await _certificates.DisposeAsync().ConfigureAwait(false);
        _keys.Dispose();
        _session.Dispose();
        _stopping.Dispose();
    }

    private static async Task<IServerCertificateSource?> StartCertificatesAsync(
        Task attested, ConfidentialServingOptions options, BrokerSession session, BrokerKeyResolver keys, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        await attested.ConfigureAwait(false);
        var logger = loggerFactory.CreateLogger<RenewingCertificateSource>();
        try
        {
            switch (options.Tls)
            {
                case null:
                    return null;
                case ServerTlsMode.BrokerCa:
                    return await RenewingCertificateSource.StartAsync("broker-ca", ct => session.RequestCertificateAsync(options.DnsNames, ct),
                        options.Broker.TimeProvider, logger, cancellationToken).ConfigureAwait(false);
                case ServerTlsMode.RaTls:
                    return await ServerCertificates.StartRaTlsAsync(options.Evidence, options.DnsNames, options.RaTlsLifetime, logger, cancellationToken).ConfigureAwait(false);
                default:
                    var certificate = await ServerCertificates.LoadStaticAsync(
                        options.CertificatePath ?? throw new ArgumentException("static TLS needs a certificate file (--tls-cert).", nameof(options)),
                        options.KeyPath ?? throw new ArgumentException("static TLS needs a key file or sealed key folder (--tls-key).", nameof(options)),
                        options.OwnerKey, keys, cancellationToken).ConfigureAwait(false);
                    return new FixedCertificateSource(certificate);
            }
        }
        catch (KeyBrokerException ex)
        {
            throw new ConfidentialStartException(ConfidentialStartStep.Certificate, $"The key broker refused the server certificate: {ex.Detail}", ex);
        }
        catch (Exception ex) when (ex is AttestationException or InvalidOperationException or SealingException or ModelLoadException)
        {
            throw new ConfidentialStartException(ConfidentialStartStep.Certificate, $"No TLS certificate ({options.Tls}): {ex.Message}", ex);
        }
    }

    private async Task CheckKeysAsync(TimeSpan interval, TimeProvider time)
    {
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
        {
            try
            {
                await CheckKeysAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ConfidentialLog.KeyCheckFailed(_logger, "*", ex.Message);
            }
        }
    }

    private sealed class DisposableAdapter(IDisposable? inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
