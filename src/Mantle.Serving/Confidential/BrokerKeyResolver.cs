using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Mantle.KeyBroker;
using Mantle.KeyBroker.Client;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Mantle.Serving.Confidential.Internal;
using Mantle.Serving.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Serving.Confidential;

/// <summary>
/// Model keys from the key broker: the key a sealed manifest names is fetched as <c>mantle/model-key/&lt;key id&gt;</c>,
/// received as a JWE to the session's TEE key, decrypted and kept in memory only (cleared on dispose). A key is fetched
/// once and reused by every version sealed with it; <see cref="RecheckAsync"/> asks the broker again and drops the
/// keys it no longer releases.
/// </summary>
public sealed class BrokerKeyResolver : IModelKeyResolver, IDisposable
{
    private readonly BrokerSession _session;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ModelKey> _keys = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Exception, object> _thrown = [];
    private long _releaseTicks;
    private int _released;

    /// <summary>Creates the resolver over an attested (or attesting) broker session; the session is not owned.</summary>
    public BrokerKeyResolver(BrokerSession session, ILogger<BrokerKeyResolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>How many keys were released so far.</summary>
    public int ReleasedKeys => Volatile.Read(ref _released);

    /// <summary>The time spent fetching keys so far (round trips, decryption).</summary>
    public TimeSpan ReleaseTime => TimeSpan.FromTicks(Interlocked.Read(ref _releaseTicks));

    /// <summary>The ids of the keys held.</summary>
    public IReadOnlyCollection<string> KeyIds => [.. _keys.Keys];

    /// <summary>
    /// Returns the key, fetching it from the broker the first time.
    /// </summary>
    /// <exception cref="ModelLoadException">The broker refused the key (the message names the key, the path and each refused claim), or is unreachable, or released a key with another id.</exception>
    public async ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (_keys.TryGetValue(keyId, out var cached))
        {
            return cached;
        }

        await _fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_keys.TryGetValue(keyId, out cached))
            {
                return cached;
            }

            ModelKey key;
            TimeSpan elapsed;
            try
            {
                (key, elapsed) = await FetchAsync(keyId, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelLoadException ex)
            {
                _thrown.TryAdd(ex, this);
                throw;
            }

            _keys[keyId] = key;
            Interlocked.Add(ref _releaseTicks, elapsed.Ticks);
            Interlocked.Increment(ref _released);
            ConfidentialLog.KeyReleased(_logger, keyId, (long)elapsed.TotalMilliseconds);
            return key;
        }
        finally
        {
            _fetch.Release();
        }
    }

    /// <summary>
    /// Asks the broker for every held key again. A key the broker refuses now (revoked, removed, or a policy this server
    /// no longer satisfies) is dropped and returned with the reason, so that the versions sealed with it can be unloaded.
    /// A broker that cannot be reached changes nothing: its keys stay, and the failure is logged.
    /// </summary>
    public async Task<IReadOnlyList<(string KeyId, string Reason)>> RecheckAsync(CancellationToken cancellationToken = default)
    {
        var withdrawn = new List<(string, string)>();
        foreach (var keyId in _keys.Keys.ToList())
        {
            try
            {
                var bytes = await _session.ReleaseAsync(KbsProtocol.ModelKeyPath(keyId), cancellationToken).ConfigureAwait(false);
                CryptographicOperations.ZeroMemory(bytes);
            }
            catch (KeyBrokerException ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                if (_keys.TryRemove(keyId, out var key))
                {
                    key.Dispose();
                }

                withdrawn.Add((keyId, Describe(ex)));
            }
            catch (Exception ex) when (ex is KeyBrokerException or ConfidentialStartException)
            {
                ConfidentialLog.KeyCheckFailed(_logger, keyId, ex.Message);
            }
        }

        return withdrawn;
    }

    /// <summary>True when <paramref name="exception"/> is a release failure this resolver threw.</summary>
    internal bool Threw(Exception exception) => _thrown.TryGetValue(exception, out _);

    /// <summary>Clears every key held.</summary>
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
        _fetch.Dispose();
    }

    /// <summary>Fetches the key; the time returned is the release itself, after the session is attested.</summary>
    private async Task<(ModelKey Key, TimeSpan Elapsed)> FetchAsync(string keyId, CancellationToken cancellationToken)
    {
        var path = KbsProtocol.ModelKeyPath(keyId);
        byte[] bytes;
        var stopwatch = new Stopwatch();
        try
        {
            await _session.EnsureAttestedAsync(cancellationToken).ConfigureAwait(false);
            stopwatch.Start();
            bytes = await _session.ReleaseAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyBrokerException ex)
        {
            throw new ModelLoadException($"The key broker refused to release model key {keyId} ({path}): {Describe(ex)}", ex);
        }
        catch (ConfidentialStartException ex)
        {
            throw new ModelLoadException($"Model key {keyId} could not be fetched: {ex.Message}", ex);
        }

        try
        {
            var key = ModelKey.FromBytes(bytes);
            if (!string.Equals(key.Id, keyId, StringComparison.Ordinal))
            {
                key.Dispose();
                throw new ModelLoadException(
                    $"The key broker released a key with id {key.Id} for {path}: the resource holds another key than the one the manifest names; re-register it with 'mantle broker keys put --key' and the right key file.");
            }

            return (key, stopwatch.Elapsed);
        }
        catch (SealingException ex)
        {
            throw new ModelLoadException($"The key broker released {path}, but it is not a model key ({ex.Message}); register model key files with 'mantle broker keys put'.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    // A policy refusal's detail already names each refused claim.
    private static string Describe(KeyBrokerException ex) => ex.Detail.Length > 0 ? ex.Detail : ex.Title;
}
