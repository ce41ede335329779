using System.Collections.Concurrent;
using System.Net;
using Mantle.Attestation.Intel.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Attestation.Intel;

/// <summary>
/// Fetches collateral from Intel PCS or a PCCS (API v4) and caches each bundle in memory, keyed by TEE,
/// FMSPC and PCK CA, until the earliest <c>nextUpdate</c> of its parts (or <see cref="IntelPcsOptions.MaxCacheAge"/>).
/// </summary>
/// <remarks>
/// Paths: <c>/{sgx|tdx}/certification/v4/tcb?fmspc=…</c>, <c>/{sgx|tdx}/certification/v4/qe/identity</c>,
/// <c>/sgx/certification/v4/pckcrl?ca=processor|platform&amp;encoding=der</c> and the root CA CRL; issuer chains
/// come from the URL-encoded PEM response headers (<c>TCB-Info-Issuer-Chain</c>, <c>SGX-Enclave-Identity-Issuer-Chain</c>,
/// <c>SGX-PCK-CRL-Issuer-Chain</c>). What is fetched is verified by the quote verifier like any other collateral.
/// </remarks>
public sealed class IntelPcsCollateralSource : IIntelCollateralSource
{
    private readonly HttpClient _http;
    private readonly IntelPcsOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IntelCollateralRequest, (IntelCollateral Bundle, DateTimeOffset Expires)> _cache = new();
    private int _fetches;

    /// <summary>Creates a source that sends its requests through <paramref name="httpClient"/>.</summary>
    /// <param name="httpClient">The client for PCS/PCCS requests (its timeout applies).</param>
    /// <param name="options">Base URL, root CA CRL URL, clock and cache age.</param>
    /// <param name="logger">Receives fetch events (4203 fetching, 4204 failed, 4205 cached). Defaults to none.</param>
    /// <exception cref="ArgumentException"><see cref="IntelPcsOptions.BaseUrl"/> is not an absolute http(s) URL.</exception>
    public IntelPcsCollateralSource(HttpClient httpClient, IntelPcsOptions options, ILogger<IntelPcsCollateralSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.BaseUrl.IsAbsoluteUri || options.BaseUrl.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"IntelPcsOptions.BaseUrl must be an absolute http(s) URL, not '{options.BaseUrl}'.", nameof(options));
        }

        _http = httpClient;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The number of network fetches done so far (cache misses).</summary>
    public int FetchCount => _fetches;

    /// <inheritdoc/>
    public async ValueTask<IntelCollateral?> GetCollateralAsync(IntelCollateralRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _options.TimeProvider.GetUtcNow();
        if (_cache.TryGetValue(request, out var cached) && now < cached.Expires)
        {
            return cached.Bundle;
        }

        var bundle = await FetchAsync(request, cancellationToken).ConfigureAwait(false);
        var maxAge = now + _options.MaxCacheAge;
        var expires = bundle.NextUpdate < maxAge ? bundle.NextUpdate : maxAge;
        _cache[request] = (bundle, expires);
        IntelLog.CollateralCached(_logger, request.Tee, request.Fmspc, expires);
        return bundle;
    }

    private async Task<IntelCollateral> FetchAsync(IntelCollateralRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetches);
        IntelLog.CollateralFetching(_logger, request.Tee, request.Fmspc, request.PckCa, _options.BaseUrl);
        var tee = request.Tee == TeeType.Tdx ? "tdx" : "sgx";
        var fmspc = Uri.EscapeDataString(request.Fmspc);
        var ca = request.PckCa == "platform" ? "platform" : "processor";

        var tcb = await GetAsync($"{tee}/certification/v4/tcb?fmspc={fmspc}", "TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain", cancellationToken).ConfigureAwait(false);
        var qe = await GetAsync($"{tee}/certification/v4/qe/identity", "SGX-Enclave-Identity-Issuer-Chain", "Enclave-Identity-Issuer-Chain", cancellationToken).ConfigureAwait(false);
        var crl = await GetAsync($"sgx/certification/v4/pckcrl?ca={ca}&encoding=der", "SGX-PCK-CRL-Issuer-Chain", "PCK-CRL-Issuer-Chain", cancellationToken).ConfigureAwait(false);
        var root = await GetAsync(_options.RootCaCrlUrl?.ToString() ?? "sgx/certification/v4/rootcacrl", null, null, cancellationToken).ConfigureAwait(false);

        var (tcbJson, tcbSignature) = SignedJson.Extract(tcb.Body, "tcbInfo", "TCB info response");
        var (qeJson, qeSignature) = SignedJson.Extract(qe.Body, "enclaveIdentity", "QE identity response");
        var bundle = new IntelCollateral
        {
            TcbInfoJson = tcbJson,
            TcbInfoSignature = tcbSignature,
            TcbInfoIssuerChain = tcb.Chain!,
            QeIdentityJson = qeJson,
            QeIdentitySignature = qeSignature,
            QeIdentityIssuerChain = qe.Chain!,
            PckCrl = CrlBytes.TryDecode(crl.Body) ?? throw IntelErrors.Collateral("The PCK CRL response is neither DER, PEM nor hex."),
            PckCrlIssuerChain = crl.Chain!,
            RootCaCrl = CrlBytes.TryDecode(root.Body) ?? throw IntelErrors.Collateral("The root CA CRL response is neither DER, PEM nor hex."),
        };
        _ = bundle.Prepared;
        return bundle;
    }

    private async Task<(byte[] Body, string? Chain)> GetAsync(string relative, string? chainHeader, string? alternativeHeader, CancellationToken cancellationToken)
    {
        var url = new Uri(new Uri(_options.BaseUrl.ToString().TrimEnd('/') + "/"), relative);
        try
        {
            using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                IntelLog.CollateralFetchFailed(_logger, url, response.StatusCode.ToString());
                throw IntelErrors.Collateral($"The collateral service answered {(int)response.StatusCode} for {url.GetLeftPart(UriPartial.Path)}. Check the PCCS/PCS URL and that it knows this platform.");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            string? chain = null;
            if (chainHeader is not null)
            {
                if (!response.Headers.TryGetValues(chainHeader, out var values) && !response.Headers.TryGetValues(alternativeHeader!, out values))
                {
                    throw IntelErrors.Collateral($"The response for {url.GetLeftPart(UriPartial.Path)} has no {chainHeader} header.");
                }

                chain = Uri.UnescapeDataString(string.Concat(values));
            }

            return (body, chain);
        }
        catch (HttpRequestException e)
        {
            IntelLog.CollateralFetchFailed(_logger, url, e.Message);
            throw new AttestationException(AttestationErrorCode.InvalidCollateral, $"Fetching collateral from {url.GetLeftPart(UriPartial.Path)} failed ({e.Message}). Check the PCCS/PCS URL and the network.", e);
        }
    }
}
