using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using Mantle.Attestation;
using Mantle.Cli.CommandLine;
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
        var url = new Option<string>("--url") { Description = "The server: HOST:PORT or an https:// URL (default port 8500).", Required = true }.ServerAddress();
        var timeout = new Option<double>("--timeout") { Description = "Seconds that connecting and the TLS handshake may take.", DefaultValueFactory = _ => 10 }.Range(0.001, 3600, "seconds");
        var json = new Option<bool>("--json") { Description = "Write the result as one JSON document to stdout." };
        var trust = new TrustOptions();
        var command = new Command("verify", "Connect to a server, verify it in the TLS handshake (CA chain, broker claims or RA-TLS evidence against a policy) and show what it proved. Exit 0 when trusted, 3 when refused, 4 when unreachable.") { url, timeout, json };
        trust.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var address = ServerAddress.Resolve(parse.GetValue(url)!, InferenceProtocol.TfsGrpc, tls: true);
            if (address.Scheme != Uri.UriSchemeHttps)
            {
                throw new UsageException($"--url '{parse.GetValue(url)}' is plain http://; verify checks a TLS server: use https:// or HOST:PORT.");
            }

            CommandScope.TalkingTo(address, "the server");
            var verifier = new ServerVerifier(trust.Create(parse)) { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
            VerifiedServer server;
            try
            {
                server = await verifier.VerifyAsync(address, cancellationToken).ConfigureAwait(false);
            }
            catch (ServerVerificationException error)
            {
                var refusal = new CliError(CliErrorCodes.Refused, error.Message) { DetailCode = error.Failure.ToString(), Url = address.ToString() };
                throw AttestationCli.Refusal(refusal, error.Claims, error.Decision, writer =>
                {
                    writer.WriteString("url", address.ToString());
                    writer.WriteNull("server");
                });
            }
            catch (Exception error) when (error is SocketException or TimeoutException or AuthenticationException or IOException)
            {
                throw Connections.Unreachable(address, "the server", error);
            }

            if (parse.GetValue(json))
            {
                AttestationCli.WriteJson(server.Claims, server.Decision, writer => WriteServer(writer, address, server));
            }
            else
            {
                WriteTable(address, server);
            }

            return ExitCodes.Success;
        });
        return command;
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
