using System.CommandLine;
using Mantle.Attestation;
using Mantle.Cli.CommandLine;
using Mantle.Cli.Commands.Attestation;
using Mantle.Client.Inference;
using Mantle.Client.Trust;

namespace Mantle.Cli.Commands.Client;

/// <summary>
/// The options that say what a client trusts in a server (<c>verify</c>, <c>infer</c>, <c>bench</c>, <c>classify</c>):
/// a CA, a policy for the attestation claims (plain or auditor-signed), the evidence verifier's settings, and a client
/// certificate for mutual TLS. Any of them turns TLS on for a bare HOST:PORT.
/// </summary>
internal sealed class TrustOptions
{
    public Option<string?> Ca { get; } = new Option<string?>("--ca") { Description = "Trust servers whose certificate chain builds to this CA (PEM, for example the broker's ca.crt); the system roots are not used." }.InputFile();

    public Option<string?> Policy { get; } = new Option<string?>("--policy") { Description = "An attestation policy (JSON) the server must satisfy: its RA-TLS evidence, or with --ca the claims a broker put in its certificate." }.InputFile();

    public Option<string?> SignedPolicy { get; } = new Option<string?>("--signed-policy") { Description = "An auditor-signed policy (JWS) instead of --policy; needs --auditor-key." }.InputFile();

    public Option<string?> AuditorKey { get; } = new Option<string?>("--auditor-key") { Description = "The trusted auditor's public key (PEM) that --signed-policy must be signed with." }.InputFile();

    public Option<string?> Certificate { get; } = new Option<string?>("--cert") { Description = "Client certificate (PEM) presented when the server asks for one (mutual TLS); needs --key." }.InputFile();

    public Option<string?> Key { get; } = new Option<string?>("--key") { Description = "The private key (PEM) of --cert." }.InputFile();

    public Option<string?> SimKey { get; } = new Option<string?>("--sim-key") { Description = "The simulated platform key (PEM) to trust for sim evidence. Default: $XDG_CONFIG_HOME/mantle/sim-platform-key.pem." }.InputFile();

    public Option<string?> Collateral { get; } = new Option<string?>("--collateral") { Description = "Collateral for hardware RA-TLS evidence: a file or folder (Intel PCS JSON, AMD VCEK/VLEK certificates)." }.InputPath();

    public Option<string?> Roots { get; } = new Option<string?>("--roots") { Description = "A folder of PEM root certificates to trust instead of the built-in Intel and AMD roots." }.InputFolder();

    public void AddTo(Command command)
    {
        foreach (var option in new[] { Ca, Policy, SignedPolicy, AuditorKey, Certificate, Key, SimKey, Collateral, Roots })
        {
            command.Add(option);
        }
    }

    /// <summary>True when any option that needs TLS was given.</summary>
    public bool WantsTls(ParseResult parse) =>
        new[] { Ca, Policy, SignedPolicy, AuditorKey, Certificate, Key }.Any(o => parse.GetValue(o) is not null);

    /// <summary>The server's base URI: <c>https://</c> when the URL says so or any trust option is given.</summary>
    public Uri Resolve(ParseResult parse, string url, InferenceProtocol protocol)
    {
        var uri = ServerAddress.Resolve(url, protocol, tls: WantsTls(parse));
        if (uri.Scheme == Uri.UriSchemeHttp && WantsTls(parse))
        {
            throw new UsageException($"--url '{url}' is plain http://, but --ca, --policy, --signed-policy, --auditor-key, --cert and --key are TLS options; use https:// or HOST:PORT.");
        }

        return uri;
    }

    /// <summary>The handler for <paramref name="uri"/>: one that verifies the server for https://, none (the default) for http://.</summary>
    public HttpMessageHandler? CreateHandler(ParseResult parse, Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps ? Create(parse).CreateHandler() : null;

    /// <summary>The trust settings the options describe (system roots when none is given).</summary>
    /// <exception cref="UsageException">The options do not fit together or a file cannot be read.</exception>
    /// <exception cref="AttestationException">The policy is invalid or its signature does not verify.</exception>
    public ServerTrust Create(ParseResult parse)
    {
        if (parse.GetValue(AuditorKey) is not null && parse.GetValue(SignedPolicy) is null)
        {
            throw new UsageException("--auditor-key needs --signed-policy (the policy the auditor signed).");
        }

        var certificate = parse.GetValue(Certificate);
        var key = parse.GetValue(Key);
        if ((certificate is null) != (key is null))
        {
            throw new UsageException("--cert and --key go together: the client certificate and its private key (PEM).");
        }

        var collateral = parse.GetValue(Collateral);
        var trust = new ServerTrust
        {
            Policy = AttestationCli.LoadPolicy(parse.GetValue(Policy), parse.GetValue(SignedPolicy), parse.GetValue(AuditorKey)),
            EvidenceVerifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions
            {
                SimKeyPath = parse.GetValue(SimKey),
                CollateralPath = collateral,
                RootsDirectory = parse.GetValue(Roots),
                RequireCollateral = collateral is not null,
                CreateOnFirstUse = true,
            }),
        };
        try
        {
            if (parse.GetValue(Ca) is { } ca)
            {
                trust.AddCertificateAuthorities(ca);
            }

            if (certificate is not null)
            {
                trust.ClientCertificate = ServerTrust.LoadClientCertificate(certificate, key!);
            }
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(CliErrors.WithoutParameterName(ex));
        }

        return trust;
    }
}
