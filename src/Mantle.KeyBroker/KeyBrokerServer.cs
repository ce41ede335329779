using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.KeyBroker.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker;

/// <summary>Builds a Kestrel host that runs only the key broker: HTTPS with the broker's certificate (client certificates allowed for admin mTLS), or plain HTTP on loopback.</summary>
public static class KeyBrokerServer
{
    /// <summary>
    /// Builds (does not start) the broker application: the broker's endpoints, a problem document for any other
    /// path, and problem documents (never an empty 500) for faults. Starting it checks the options and the
    /// configuration files and refuses to start, naming each file and what is wrong with it.
    /// </summary>
    /// <exception cref="ArgumentException">A URL is malformed, or plain HTTP was asked for on a non-loopback address.</exception>
    public static WebApplication Build(KeyBrokerServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var urls = options.Urls.Count == 0 ? ["https://127.0.0.1:8443"] : options.Urls.ToList();
        var endpoints = urls.Select(u => Parse(u, options.Plaintext)).ToList();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
            foreach (var (address, port, https) in endpoints)
            {
                k.Listen(address, port, listen =>
                {
                    if (https)
                    {
                        listen.UseHttps(LoadTlsCertificate(options.ConfigDirectory), o =>
                        {
                            o.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                            // Admin client certificates are checked against the broker CA by the admin filter.
                            o.ClientCertificateValidation = (_, _, _) => true;
                        });
                    }
                });
            }
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddMantleKeyBroker(builder.Configuration, o =>
        {
            o.ConfigDirectory = options.ConfigDirectory;
            o.Database = options.Database ?? o.Database;
            options.ConfigureBroker?.Invoke(o);
        });
        options.ConfigureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapMantleKeyBroker();
        app.MapMantleKeyBrokerFallback();
        return app;
    }

    /// <summary>The addresses the started application listens on (with the real ports when port 0 was asked for).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
    }

    private static X509Certificate2 LoadTlsCertificate(string directory)
    {
        var certificatePath = Path.Combine(directory, BrokerFiles.TlsCertificate);
        var keyPath = Path.Combine(directory, BrokerFiles.TlsKey);
        try
        {
            using var cert = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // Kestrel on Linux needs a certificate whose key is not ephemeral.
            return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"The broker's TLS certificate cannot be loaded from {certificatePath} and {keyPath}: {ex.Message} They must hold a PEM certificate and its PEM private key; make them again with 'mantle broker init', or serve with --plaintext on loopback.",
                ex);
        }
    }

    private static (IPAddress Address, int Port, bool Https) Parse(string url, bool plaintext)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ||
            (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new ArgumentException($"'{url}' is not an http:// or https:// address with host and port.", nameof(url));
        }

        var address = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : null;
        if (address is null)
        {
            throw new ArgumentException($"'{url}': listen addresses must be IP addresses or 'localhost'.", nameof(url));
        }

        var https = uri.Scheme == "https";
        if (plaintext && !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"Plain HTTP is only allowed on loopback addresses; '{url}' is not loopback. Drop --plaintext to serve HTTPS.", nameof(url));
        }

        if (!plaintext && !https)
        {
            throw new ArgumentException($"'{url}' is plain HTTP; use https:// (or --plaintext on a loopback address).", nameof(url));
        }

        if (plaintext && https)
        {
            throw new ArgumentException($"'{url}' is https:// but --plaintext was given; use http:// with --plaintext.", nameof(url));
        }

        return (address, uri.Port, https);
    }
}
