using Mantle.Client.Inference;

namespace Mantle.Cli.Commands.Client;

/// <summary>Parses <c>--url</c> (<c>HOST:PORT</c> or an http(s) URL) and <c>--protocol</c> for the client commands.</summary>
internal static class ServerAddress
{
    public const string ProtocolNames = "tfs-grpc, tfs-rest, kserve-grpc, kserve-rest, kserve-rest-json";

    public const string UrlDescription = "The server: HOST:PORT or an http(s) URL (default port 8500 for gRPC, 8501 for REST); a bare HOST:PORT means https:// when a trust option (--ca, --policy, --signed-policy, --cert) is given.";

    public static bool TryParseProtocol(string? text, out InferenceProtocol protocol)
    {
        switch (text?.ToLowerInvariant())
        {
            case "tfs-grpc":
                protocol = InferenceProtocol.TfsGrpc;
                return true;
            case "tfs-rest":
                protocol = InferenceProtocol.TfsRest;
                return true;
            case "kserve-grpc":
                protocol = InferenceProtocol.KServeGrpc;
                return true;
            case "kserve-rest":
                protocol = InferenceProtocol.KServeRest;
                return true;
            case "kserve-rest-json":
                protocol = InferenceProtocol.KServeRestJson;
                return true;
            default:
                protocol = default;
                return false;
        }
    }

    /// <summary>
    /// The server's base URI: a bare <c>HOST[:PORT]</c> gets http:// (https:// with <paramref name="tls"/>) and, without a
    /// port, the protocol's default port (8500 gRPC, 8501 REST).
    /// </summary>
    public static Uri Resolve(string url, InferenceProtocol protocol, bool tls = false)
    {
        var defaultPort = protocol is InferenceProtocol.TfsGrpc or InferenceProtocol.KServeGrpc ? 8500 : 8501;
        var text = url.Contains("://", StringComparison.Ordinal) ? url : (tls ? "https://" : "http://") + url;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"--url '{url}' is not HOST:PORT or an http(s) URL.");
        }

        var builder = new UriBuilder(uri);
        if (uri.IsDefaultPort && !url.Contains("://", StringComparison.Ordinal) && !HasExplicitPort(url))
        {
            builder.Port = defaultPort;
        }

        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return builder.Uri;
    }

    private static bool HasExplicitPort(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        return colon >= 0 && colon > hostPort.LastIndexOf(']') && int.TryParse(hostPort.AsSpan(colon + 1), out _);
    }
}
