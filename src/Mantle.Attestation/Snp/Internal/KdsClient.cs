using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// Fetches VCEKs and ASK/ARK chains from an AMD Key Distribution Service
/// (<c>/vcek/v1/{product}/{hwid}?…SPL=…</c>, <c>/vcek/v1/{product}/cert_chain</c>), caching every
/// successful response in memory. What it returns is untrusted until the chain check.
/// </summary>
internal sealed class KdsClient(HttpClient http, Uri baseUrl, TimeSpan timeout, ILogger logger)
{
    private const int MaxResponseBytes = 64 * 1024;
    private readonly ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    public Uri VcekUrl(SnpProduct product, ReadOnlySpan<byte> chipId, SnpTcb tcb)
    {
        // Turin VCEKs are keyed by the first 8 bytes of the chip id and include the FMC level.
        var hwid = Convert.ToHexStringLower(product == SnpProduct.Turin ? chipId[..8] : chipId);
        var query = new StringBuilder();
        if (product == SnpProduct.Turin)
        {
            query.Append(CultureInfo.InvariantCulture, $"fmcSPL={tcb.Fmc ?? 0}&");
        }

        query.Append(CultureInfo.InvariantCulture, $"blSPL={tcb.Bootloader}&teeSPL={tcb.Tee}&snpSPL={tcb.Snp}&ucodeSPL={tcb.Microcode}");
        return new Uri($"{Base()}/vcek/v1/{product.ToName()}/{hwid}?{query}");
    }

    public Uri CertChainUrl(SnpProduct product) => new($"{Base()}/vcek/v1/{product.ToName()}/cert_chain");

    public Task<byte[]> GetAsync(Uri url, CancellationToken cancellationToken) =>
        _cache.TryGetValue(url.AbsoluteUri, out var cached) ? Task.FromResult(cached) : FetchAsync(url, cancellationToken);

    private async Task<byte[]> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        SnpLog.KdsFetching(logger, url);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw Failed(url, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeoutSource.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeoutSource.Token)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    throw Failed(url, $"the response is larger than {MaxResponseBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            var bytes = buffer.ToArray();
            _cache[url.AbsoluteUri] = bytes;
            return bytes;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failed(url, $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            throw Failed(url, ex.Message, ex);
        }
    }

    private AttestationException Failed(Uri url, string reason, Exception? inner = null)
    {
        SnpLog.KdsFailed(logger, url, reason);
        var message = $"Could not fetch SEV-SNP collateral from AMD KDS at {url}: {reason}. " +
            "Check Attestation:Snp:KdsBaseUrl, or supply the VCEK certificate as collateral.";
        return inner is null
            ? new AttestationException(AttestationErrorCode.InvalidCollateral, message)
            : new AttestationException(AttestationErrorCode.InvalidCollateral, message, inner);
    }

    private string Base() => baseUrl.AbsoluteUri.TrimEnd('/');
}
