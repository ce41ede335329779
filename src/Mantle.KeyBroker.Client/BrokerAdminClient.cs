using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Jose;
using Mantle.KeyBroker.Client.Internal;

namespace Mantle.KeyBroker.Client;

/// <summary>
/// Calls the broker's admin API with an <see cref="AdminCredential"/>: a fresh ES384 bearer token (5 minutes)
/// per request, or the admin client certificate (mTLS) when <see cref="BrokerAdminClientOptions.UseClientCertificate"/> is set.
/// </summary>
public class BrokerAdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ECDsa _adminKey;
    private readonly bool _bearer;
    private readonly TimeProvider _time;

    /// <summary>Creates a client for the broker named in the credential (or <see cref="BrokerAdminClientOptions.BrokerUrl"/>).</summary>
    public BrokerAdminClient(AdminCredential credential, BrokerAdminClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new BrokerAdminClientOptions();
        _time = options.TimeProvider;
        _adminKey = ECDsa.Create();
        _adminKey.ImportFromPem(credential.AdminKeyPem);
        X509Certificate2? clientCertificate = null;
        if (options.UseClientCertificate)
        {
            var pem = credential.ClientCertificatePem ?? throw new ArgumentException("The credential holds no client certificate.", nameof(credential));
            using var cert = X509Certificate2.CreateFromPem(pem);
            using var withKey = cert.CopyWithPrivateKey(_adminKey);
            clientCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }

        _bearer = !options.UseClientCertificate;
        _http = new HttpClient(BrokerHttp.CreateHandler(credential.CaCertificatePem, clientCertificate))
        {
            BaseAddress = new Uri((options.BrokerUrl ?? credential.BrokerUrl).TrimEnd('/') + "/"),
            Timeout = options.Timeout,
        };
    }

    /// <summary>Stores a new resource (version 1) with an optional release policy (JSON).</summary>
    /// <exception cref="KeyBrokerException">The broker refused (409 when the resource exists) or could not be reached.</exception>
    public virtual Task<ResourceVersion> PutResourceAsync(string path, byte[] data, string? policyJson = null, CancellationToken cancellationToken = default) =>
        WriteAsync(HttpMethod.Put, $"admin/v0/resources/{path}", data, policyJson, cancellationToken);

    /// <summary>Stores a new version of an existing resource; older versions are kept as <c>retired</c> and no longer released.</summary>
    /// <exception cref="KeyBrokerException">The broker refused (404 when the resource does not exist) or could not be reached.</exception>
    public virtual Task<ResourceVersion> RotateResourceAsync(string path, byte[] data, string? policyJson = null, CancellationToken cancellationToken = default) =>
        WriteAsync(HttpMethod.Post, $"admin/v0/resources/{path}/rotate", data, policyJson, cancellationToken);

    /// <summary>Revokes every version of a resource; returns how many versions were revoked.</summary>
    /// <exception cref="KeyBrokerException">The broker refused or could not be reached.</exception>
    public virtual async Task<int> RevokeResourceAsync(string path, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Post, $"admin/v0/resources/{path}/revoke", null, cancellationToken);
        var body = await BrokerHttp.ReadJsonAsync<Dictionary<string, System.Text.Json.JsonElement>>(response, cancellationToken);
        return body["revoked_versions"].GetInt32();
    }

    /// <summary>Lists every stored resource version (metadata only).</summary>
    /// <exception cref="KeyBrokerException">The broker refused or could not be reached.</exception>
    public virtual async Task<IReadOnlyList<ResourceInfo>> ListResourcesAsync(CancellationToken cancellationToken = default) =>
        await BrokerHttp.ReadJsonAsync<List<ResourceInfo>>(await SendAsync(HttpMethod.Get, "admin/v0/resources", null, cancellationToken), cancellationToken);

    /// <summary>Sets a policy: <paramref name="name"/> is <c>default</c>, <c>certificate</c> or <c>resource/REPO/TYPE/TAG</c>.</summary>
    /// <exception cref="KeyBrokerException">The broker refused (400 for an invalid policy) or could not be reached.</exception>
    public virtual async Task SetPolicyAsync(string name, string policyJson, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(policyJson, Encoding.UTF8, "application/json");
        (await SendAsync(HttpMethod.Put, $"admin/v0/policies/{name}", content, cancellationToken)).Dispose();
    }

    /// <summary>Returns a policy's JSON (<c>default</c>, <c>certificate</c> or <c>resource/REPO/TYPE/TAG</c>).</summary>
    /// <exception cref="KeyBrokerException">The broker refused (404 when none is set) or could not be reached.</exception>
    public virtual async Task<string> GetPolicyAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"admin/v0/policies/{name}", null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Reads the whole audit log, in order.</summary>
    /// <exception cref="KeyBrokerException">The broker refused or could not be reached.</exception>
    public virtual async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<AuditEntry>();
        while (true)
        {
            var page = await BrokerHttp.ReadJsonAsync<List<AuditEntry>>(
                await SendAsync(HttpMethod.Get, $"admin/v0/audit?after={(all.Count == 0 ? 0 : all[^1].Seq)}&limit=5000", null, cancellationToken), cancellationToken);
            all.AddRange(page);
            if (page.Count < 5000)
            {
                return all;
            }
        }
    }

    /// <summary>Makes an admin bearer token: ES384, audience <c>mantle-broker-admin</c>, 5 minutes.</summary>
    public string CreateBearerToken(TimeSpan? lifetime = null)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var payload = new Dictionary<string, object>
        {
            ["aud"] = KbsProtocol.AdminAudience,
            ["sub"] = "admin",
            ["iat"] = now,
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromMinutes(5)).TotalSeconds,
            ["jti"] = Base64Url.Encode(RandomNumberGenerator.GetBytes(12)),
        };
        return JWT.Encode(payload, _adminKey, JwsAlgorithm.ES384);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the HTTP client and the admin key.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
            _adminKey.Dispose();
        }
    }

    private async Task<ResourceVersion> WriteAsync(HttpMethod method, string uri, byte[] data, string? policyJson, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object?>
        {
            ["data"] = Convert.ToBase64String(data),
            ["policy"] = policyJson is null ? null : System.Text.Json.JsonDocument.Parse(policyJson).RootElement,
        };
        using var content = JsonContent.Create(body);
        return await BrokerHttp.ReadJsonAsync<ResourceVersion>(await SendAsync(method, uri, content, cancellationToken), cancellationToken);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string uri, HttpContent? content, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        if (_bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CreateBearerToken());
        }

        return BrokerHttp.SendAsync(_http, request, cancellationToken);
    }
}
