using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Mantle.KeyBroker.Client.Internal;

internal static class BrokerHttp
{
    /// <summary>A handler that trusts only the given CA for the broker's TLS certificate (when a CA is given).</summary>
    public static SocketsHttpHandler CreateHandler(string? caPem, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler { UseCookies = true, CookieContainer = new System.Net.CookieContainer() };
        if (caPem is not null)
        {
            var ca = X509Certificate2.CreateFromPem(caPem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return ChainsTo(leaf, ca);
            };

            // The first chain a process builds loads the system trust store, custom root or not (about 80 ms on a
            // small machine): it is built now, in the background, so that the first handshake does not wait for it.
            _ = Task.Run(() => ChainsTo(ca, ca));
        }

        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return handler;
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Security.Authentication.AuthenticationException tls)
        {
            throw new KeyBrokerException(
                $"TLS with the broker at {http.BaseAddress} failed: its certificate does not chain to the broker CA given, or does not name the host in the URL ({tls.Message}).",
                ex);
        }
        catch (HttpRequestException ex)
        {
            throw new KeyBrokerException($"Cannot reach the broker at {http.BaseAddress}: {ex.Message}", ex);
        }
        finally
        {
            request.Dispose();
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var title = response.ReasonPhrase ?? "Error";
            var detail = "";
            var reasons = new List<string>();
            try
            {
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                title = doc.RootElement.TryGetProperty("title", out var t) ? t.GetString() ?? title : title;
                detail = doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
                if (doc.RootElement.TryGetProperty("reasons", out var r) && r.ValueKind == JsonValueKind.Array)
                {
                    reasons.AddRange(r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
                }
            }
            catch (JsonException)
            {
            }

            throw new KeyBrokerException(response.StatusCode, title, detail, reasons);
        }
    }

    public static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            return await response.Content.ReadFromJsonAsync<T>(cancellationToken)
                ?? throw new KeyBrokerException(response.StatusCode, "Bad response", "The broker answered with an empty body.");
        }
    }
}
