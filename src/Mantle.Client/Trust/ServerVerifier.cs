using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Mantle.Client.Trust.Internal;

namespace Mantle.Client.Trust;

/// <summary>
/// Connects to a server, performs the TLS handshake with a <see cref="ServerTrust"/>'s checks, and returns what the
/// server proved (certificate, attestation claims) without sending any request.
/// </summary>
public class ServerVerifier
{
    private readonly ServerTrust _trust;

    /// <summary>Creates a verifier with the given trust settings (read at each <see cref="VerifyAsync(string, int, CancellationToken)"/>).</summary>
    public ServerVerifier(ServerTrust trust)
    {
        ArgumentNullException.ThrowIfNull(trust);
        _trust = trust;
    }

    /// <summary>How long connecting and the TLS handshake may take together. Defaults to 10 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Verifies the server at <paramref name="address"/> (<c>https://host:port</c>; the port is required).</summary>
    /// <inheritdoc cref="VerifyAsync(string, int, CancellationToken)"/>
    public Task<VerifiedServer> VerifyAsync(Uri address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        return VerifyAsync(address.IdnHost, address.Port, cancellationToken);
    }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/>, verifies the server in the TLS handshake and closes the connection.</summary>
    /// <exception cref="ServerVerificationException">The server was refused; the message says why.</exception>
    /// <exception cref="SocketException">The server could not be reached (refused, unreachable, unknown host).</exception>
    /// <exception cref="TimeoutException">Connecting and the handshake took longer than <see cref="Timeout"/>.</exception>
    /// <exception cref="AuthenticationException">The TLS handshake failed for another reason (for example, the port does not speak TLS).</exception>
    /// <exception cref="IOException">The connection broke during the handshake.</exception>
    public virtual async Task<VerifiedServer> VerifyAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var validator = new ServerCertificateValidator(_trust);
        VerifiedServer? verified = null;
        var options = TlsClientOptions.Create(validator, host, server => verified = server);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(options, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is AuthenticationException or IOException && ServerVerificationHandler.Find(error) is { } refusal)
            {
                throw refusal.Rethrown(error);
            }
            catch (Exception error) when (error is AuthenticationException or IOException && verified is not null && validator.ClientCertificateRequested)
            {
                // The server proved itself, then refused this client for lack of a certificate: report what it proved.
                return verified with { ClientCertificateRequested = true };
            }

            var server = verified ?? throw new AuthenticationException("The TLS handshake completed without checking the server's certificate.");
            return server with
            {
                TlsProtocol = tls.SslProtocol,
                ApplicationProtocol = tls.NegotiatedApplicationProtocol == default ? null : tls.NegotiatedApplicationProtocol.ToString(),
                ClientCertificateRequested = validator.ClientCertificateRequested || (validator.ClientCertificate is not null && tls.IsMutuallyAuthenticated),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Connecting to {host}:{port} and completing the TLS handshake took longer than {Timeout.TotalSeconds:0.#} s.");
        }
    }
}
