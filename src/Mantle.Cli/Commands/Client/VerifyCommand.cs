using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using Mantle.Attestation;
using Mantle.Cli.Commands.Attestation;
using Mantle.Client.Inference;
using Mantle.Client.Trust;
using Spectre.Console;

namespace Mantle.Cli.Commands.Client;

/// <summary>
/// <c>mantle verify --url URL [trust options] [--json]</c>: performs the TLS handshake with a server, checks it as the
/// inference commands would, and shows what it proved. Exit 0 trusted, 3 refused, 4 unreachable, 2 usage error.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The server: HOST:PORT or an https:// URL (default port 8500).", Required = true };
        var timeout = new Option<double>("--timeout") { Description = "Seconds that connecting and the TLS handshake may take.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Write the result as one JSON document to stdout." };
        var trust = new TrustOptions();
        var command = new Command("verify", "Connect to a server, verify it in the TLS handshake (CA chain, broker claims or RA-TLS evidence against a policy) and show what it proved. Exit 0 when trusted, 3 when refused, 4 when unreachable.") { url, timeout, json };
        trust.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asJson = parse.GetValue(json);
            Uri? address = null;
            try
            {
                address = ServerAddress.Resolve(parse.GetValue(url)!, InferenceProtocol.TfsGrpc, tls: true);
                if (address.Scheme != Uri.UriSchemeHttps)
                {
                    throw new UsageException($"--url '{parse.GetValue(url)}' is plain http://; verify checks a TLS server: use https:// or HOST:PORT.");
                }

                var verifier = new ServerVerifier(trust.Create(parse)) { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
                var server = await verifier.VerifyAsync(address, cancellationToken).ConfigureAwait(false);
                if (asJson)
                {
                    AttestationCli.WriteJson(true, server.Claims, server.Decision, null, null, writer => WriteServer(writer, address, server));
                }
                else
                {
                    WriteTable(address, server);
                }

                return ExitCodes.Success;
            }
            catch (ServerVerificationException error)
            {
                return Fail(asJson, error.Message, error.Failure.ToString(), ExitCodes.VerificationFailed, error.Claims, error.Decision, address);
            }
            catch (Exception error) when (error is UsageException or ArgumentException)
            {
                return Fail(asJson, ClientCli.Message(error), "UsageError", ExitCodes.UsageError, null, null, address);
            }
            catch (AttestationException error)
            {
                return Fail(asJson, error.Message, error.Code.ToString(), AttestationCli.ExitCodeFor(error), null, null, address);
            }
            catch (Exception error) when (error is SocketException or TimeoutException or AuthenticationException or IOException)
            {
                return Fail(asJson, Unreachable(address!, error), "Unreachable", ExitCodes.RemoteError, null, null, address);
            }
        });
        return command;
    }

    /// <summary>What was tried, what happened, and what to check, in plain words.</summary>
    internal static string Unreachable(Uri address, Exception error)
    {
        var target = $"{address.Host}:{address.Port}";
        return error switch
        {
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
                $"Cannot reach {target}: the connection was refused (nothing listens on that port). Check the address and port, and that the server is running.",
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
                $"Cannot reach {target}: the host name '{address.Host}' does not resolve. Check the spelling, or use the server's IP address.",
            SocketException socket =>
                $"Cannot reach {target}: {socket.Message}. Check the address, the port and any firewall on the way.",
            TimeoutException timeout =>
                $"Cannot reach {target}: {timeout.Message} Check the address and port, and any firewall on the way.",
            _ =>
                $"Connected to {target}, but the TLS handshake failed: {error.Message.TrimEnd('.')}. Check that the port serves TLS (for example mantle serve with --tls or --broker), not plain HTTP, and, with mutual TLS, that the server accepts the client certificate.",
        };
    }

    private static int Fail(bool json, string message, string code, int exitCode, AttestationClaims? claims, Mantle.Attestation.Policy.PolicyDecision? decision, Uri? address)
    {
        if (json)
        {
            AttestationCli.WriteJson(false, claims, decision, message, code, writer =>
            {
                if (address is not null)
                {
                    writer.WriteString("url", address.ToString());
                }

                writer.WriteNull("server");
            });
        }
        else if (exitCode == ExitCodes.VerificationFailed)
        {
            AttestationCli.WriteRefusal(message);
        }
        else
        {
            Console.Error.WriteLine("error: " + message);
        }

        return exitCode;
    }

    private static void WriteServer(Utf8JsonWriter writer, Uri address, VerifiedServer server)
    {
        writer.WriteString("url", address.ToString());
        writer.WriteStartObject("server");
        writer.WriteString("mode", ModeName(server.Mode));
        WriteOptional(writer, "measurement", server.Measurement);
        if (server.Debug is { } debug)
        {
            writer.WriteBoolean("debug", debug);
        }
        else
        {
            writer.WriteNull("debug");
        }

        writer.WriteString("subject", server.Subject);
        writer.WriteString("issuer", server.Issuer);
        writer.WriteStartArray("subject_alternative_names");
        foreach (var name in server.SubjectAlternativeNames)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteString("not_before", server.NotBefore);
        writer.WriteString("not_after", server.NotAfter);
        writer.WriteString("sha256", server.Sha256Fingerprint);
        WriteOptional(writer, "tls_protocol", server.TlsProtocol?.ToString());
        WriteOptional(writer, "alpn", server.ApplicationProtocol);
        writer.WriteBoolean("client_certificate_requested", server.ClientCertificateRequested);
        writer.WriteEndObject();
    }

    private static void WriteTable(Uri address, VerifiedServer server)
    {
        var table = new Table().Title(Markup.Escape($"trusted: {address.Host}:{address.Port} ({ModeName(server.Mode)})")).AddColumn("").AddColumn("value");
        void Row(string name, string? value) => table.AddRow(Markup.Escape(name), Markup.Escape(value ?? "(none)"));
        Row("TEE", server.Tee?.ToName() ?? "(no attestation claims)");
        Row("measurement", server.Measurement);
        Row("TCB status", server.TcbStatus);
        Row("debug", server.Debug is { } debug ? (debug ? "true" : "false") : null);
        Row("policy", server.Decision is null ? "(none given)" : server.Decision.Reason);
        Row("certificate subject", server.Subject);
        Row("issuer", server.Issuer);
        Row("names (SAN)", server.SubjectAlternativeNames.Count == 0 ? null : string.Join(", ", server.SubjectAlternativeNames));
        Row("valid", $"{Utc(server.NotBefore)} to {Utc(server.NotAfter)}");
        Row("SHA-256", server.Sha256Fingerprint);
        Row("TLS", $"{server.TlsProtocol}{(server.ApplicationProtocol is { } alpn ? ", ALPN " + alpn : string.Empty)}");
        Row("client certificate", server.ClientCertificateRequested ? "requested by the server" : "not requested");
        AttestationCli.Human.Write(table);
        if (server.Tee == TeeType.Sim)
        {
            AttestationCli.Human.MarkupLine("[yellow]sim evidence comes from the simulated TEE and gives no security.[/]");
        }

        if (server.ClientCertificateRequested)
        {
            AttestationCli.Human.MarkupLine("The server asks for a client certificate: requests need --cert FILE --key FILE.");
        }
    }

    private static string ModeName(ServerTrustMode mode) => mode switch
    {
        ServerTrustMode.CertificateAuthority => "ca",
        ServerTrustMode.RaTls => "ra-tls",
        _ => "system-roots",
    };

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
