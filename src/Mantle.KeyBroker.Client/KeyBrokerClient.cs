using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Jose;
using Mantle.Attestation;
using Mantle.KeyBroker.Client.Internal;

namespace Mantle.KeyBroker.Client;

/// <summary>
/// The attester's side of the broker protocol, as run inside the TEE: auth → evidence bound to the nonce and
/// an ephemeral P-384 key → attest → token; then resources (JWE, decrypted here) and certificates for that key.
/// </summary>
public class KeyBrokerClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ECDsa _teeKey;
    private readonly TeeKeyJwk _jwk;
    private string? _token;

    /// <summary>Creates a client with a fresh ephemeral P-384 TEE key.</summary>
    /// <param name="brokerUrl">The broker's base URL.</param>
    /// <param name="caCertificatePem">The broker CA (PEM) that the broker's TLS certificate must chain to; null to use the system trust store (or for plain HTTP).</param>
    /// <param name="teeKey">The TEE key to use (P-384); null for a new one.</param>
    public KeyBrokerClient(Uri brokerUrl, string? caCertificatePem = null, ECDsa? teeKey = null)
    {
        ArgumentNullException.ThrowIfNull(brokerUrl);
        _teeKey = teeKey ?? ECDsa.Create(ECCurve.NamedCurves.nistP384);
        _jwk = TeeKeyJwk.FromEc(_teeKey.ExportParameters(false));
        _http = new HttpClient(BrokerHttp.CreateHandler(caCertificatePem, null))
        {
            BaseAddress = new Uri(brokerUrl.ToString().TrimEnd('/') + "/"),
        };
    }

    /// <summary>The attestation token of the last successful <see cref="AttestAsync"/>.</summary>
    public string? Token => _token;

    /// <summary>When <see cref="Token"/> expires, as the broker said; null before the first attestation.</summary>
    public DateTimeOffset? TokenExpires { get; private set; }

    /// <summary>The TEE key's public JWK (as sent in <c>tee-pubkey</c>).</summary>
    public IReadOnlyDictionary<string, object> PublicJwk => _jwk.Members;

    /// <summary>Report data for a nonce and this client's key (<see cref="KbsProtocol.ReportData"/>).</summary>
    public byte[] ReportData(string nonce) => KbsProtocol.ReportData(nonce, _jwk.Thumbprint);

    /// <summary>Starts a session: returns the nonce that the evidence must bind.</summary>
    /// <exception cref="KeyBrokerException">The broker refused or could not be reached.</exception>
    public virtual async Task<string> AuthAsync(TeeType tee, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "kbs/v0/auth") { Content = JsonContent.Create(new Dictionary<string, string> { ["version"] = KbsProtocol.Version, ["tee"] = tee.ToName() }) };
        var body = await BrokerHttp.ReadJsonAsync<Dictionary<string, JsonElement>>(await BrokerHttp.SendAsync(_http, request, cancellationToken), cancellationToken);
        return body["nonce"].GetString()!;
    }

    /// <summary>Sends evidence for this session and key; keeps and returns the attestation token.</summary>
    /// <exception cref="KeyBrokerException">The broker refused (401 session/nonce, 403 evidence or policy) or could not be reached.</exception>
    public virtual async Task<string> SendEvidenceAsync(byte[] evidence, CancellationToken cancellationToken = default)
    {
        var payload = new Dictionary<string, object> { ["tee-pubkey"] = PublicJwk, ["tee-evidence"] = Base64Url.Encode(evidence) };
        var request = new HttpRequestMessage(HttpMethod.Post, "kbs/v0/attest") { Content = JsonContent.Create(payload) };
        var body = await BrokerHttp.ReadJsonAsync<Dictionary<string, JsonElement>>(await BrokerHttp.SendAsync(_http, request, cancellationToken), cancellationToken);
        _token = body["token"].GetString();
        TokenExpires = body.TryGetValue("expires", out var expires) && expires.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(expires.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
            ? at
            : null;
        return _token!;
    }

    /// <summary>Runs auth and attest with evidence from <paramref name="provider"/>; returns the attestation token.</summary>
    /// <exception cref="KeyBrokerException">The broker refused or could not be reached.</exception>
    /// <exception cref="AttestationException">The TEE could not produce evidence.</exception>
    public virtual async Task<string> AttestAsync(IEvidenceProvider provider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var nonce = await AuthAsync(provider.Tee, cancellationToken);
        var evidence = await provider.GetEvidenceAsync(ReportData(nonce), cancellationToken);
        return await SendEvidenceAsync(evidence, cancellationToken);
    }

    /// <summary>Fetches a resource and decrypts the JWE with the TEE key.</summary>
    /// <exception cref="KeyBrokerException">The broker refused (401, 403 with the failing claim, 404) or could not be reached.</exception>
    public virtual async Task<byte[]> GetResourceAsync(string path, CancellationToken cancellationToken = default) =>
        DecryptJwe(await GetResourceJweAsync(path, cancellationToken));

    /// <summary>Fetches a resource as the JWE compact text the broker sends.</summary>
    /// <exception cref="KeyBrokerException">The broker refused or could not be reached.</exception>
    public virtual async Task<string> GetResourceJweAsync(string path, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "kbs/v0/resource/" + path);
        Authorize(request);
        using var response = await BrokerHttp.SendAsync(_http, request, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Decrypts a JWE made for this client's TEE key.</summary>
    public byte[] DecryptJwe(string jwe)
    {
        using var ecdh = ECDiffieHellman.Create(_teeKey.ExportParameters(true));
        return JWE.Decrypt(jwe, ecdh).PlaintextBytes;
    }

    /// <summary>Asks for a server certificate for this client's TEE key; returns the PEM chain (leaf, then CA).</summary>
    /// <exception cref="KeyBrokerException">The broker refused (403 when a DNS name is not allowed) or could not be reached.</exception>
    public virtual async Task<string> RequestCertificateAsync(IEnumerable<string> dnsNames, CancellationToken cancellationToken = default) =>
        await SendCsrAsync(CreateCsr(_teeKey, dnsNames), cancellationToken);

    /// <summary>
    /// Asks for a server certificate for this client's TEE key and returns it with that private key, ready for a TLS
    /// server (the leaf only; clients trust the broker CA).
    /// </summary>
    /// <exception cref="KeyBrokerException">The broker refused (403 when a DNS name is not allowed) or could not be reached.</exception>
    public virtual async Task<X509Certificate2> RequestServerCertificateAsync(IEnumerable<string> dnsNames, CancellationToken cancellationToken = default)
    {
        var chain = await RequestCertificateAsync(dnsNames, cancellationToken);
        using var leaf = X509Certificate2.CreateFromPem(chain);
        return leaf.CopyWithPrivateKey(_teeKey);
    }

    /// <summary>Sends a PEM certificate request; returns the PEM chain.</summary>
    /// <exception cref="KeyBrokerException">The broker refused or could not be reached.</exception>
    public virtual async Task<string> SendCsrAsync(string csrPem, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "kbs/v0/certificate") { Content = JsonContent.Create(new Dictionary<string, string> { ["csr"] = csrPem }) };
        Authorize(request);
        using var response = await BrokerHttp.SendAsync(_http, request, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Makes a PEM PKCS#10 request for <paramref name="key"/> naming <paramref name="dnsNames"/>.</summary>
    public static string CreateCsr(ECDsa key, IEnumerable<string> dnsNames)
    {
        ArgumentNullException.ThrowIfNull(key);
        var names = dnsNames.ToList();
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA384);
        var san = new SubjectAlternativeNameBuilder();
        names.ForEach(san.AddDnsName);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequestPem();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the HTTP client and the TEE key.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
            _teeKey.Dispose();
        }
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }
    }
}
