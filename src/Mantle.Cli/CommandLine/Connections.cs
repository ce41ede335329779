using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// Connection failures in plain words: what was tried (the URL), what failed (refused, timed out, name not found,
/// TLS), and what to check. gRPC, HttpClient and raw sockets hide the cause at different depths; this finds it.
/// </summary>
internal static class Connections
{
    /// <summary>The error that says why no connection was made, when <paramref name="error"/> is a failed connection; else null.</summary>
    public static Exception? FindFailure(Exception error)
    {
        Exception? found = null;
        foreach (var cause in Causes(error))
        {
            switch (cause)
            {
                case SocketException or AuthenticationException or TimeoutException:
                    return cause;
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
                    or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError or HttpRequestError.ResponseEnded
                    or HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse }:
                    found ??= cause;
                    break;
                case RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded }:
                    found ??= cause;
                    break;
            }
        }

        return found;
    }

    /// <summary>The failure as a <see cref="CliException"/> with code <c>unreachable</c>.</summary>
    public static CliException Unreachable(Uri? address, string name, Exception failure) =>
        new(new CliError(CliErrorCodes.Unreachable, Describe(address, name, failure)) { Url = address?.ToString() }, failure);

    /// <summary>"Cannot reach NAME at URL: what failed. What to check."</summary>
    public static string Describe(Uri? address, string name, Exception failure)
    {
        var target = address is null ? name : $"{name} at {address}";
        var host = address?.Host ?? "the host";
        var (what, check) = Explain(FindFailure(failure) ?? failure, host, name);
        return $"Cannot reach {target}: {what}. {check}";
    }

    private static (string What, string Check) Explain(Exception failure, string host, string name) => failure switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
            ("the connection was refused (nothing listens on that port)", $"Check the address and the port, and that {name} is running."),
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } or HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } =>
            ($"the host name '{host}' was not found", "Check its spelling, or use an IP address."),
        SocketException { SocketErrorCode: SocketError.TimedOut } or TimeoutException or RpcException { StatusCode: StatusCode.DeadlineExceeded } =>
            ("connecting timed out", "Check the address and the port, and any firewall on the way."),
        SocketException { SocketErrorCode: SocketError.NetworkUnreachable or SocketError.HostUnreachable } =>
            ("there is no route to the host", "Check the address and this machine's network."),
        SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted } =>
            ("the other side closed the connection", "Check that the port serves this protocol, with TLS (https://) or without (http://) as the URL says."),
        SocketException socket =>
            (socket.Message.TrimEnd('.'), "Check the address, the port and any firewall on the way."),
        AuthenticationException or HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } =>
            ($"the TLS handshake failed ({Innermost(failure).Message.TrimEnd('.')})",
                "Check that the port serves TLS, that its certificate chains to the CA given (--ca) and names the host, and, with mutual TLS, that the client certificate is accepted."),
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse } =>
            ("the connection ended without an answer in the expected protocol", "Check that the port serves this API, with TLS (https://) or without (http://) as the URL says."),
        IOException =>
            ($"the TLS handshake failed ({failure.Message.TrimEnd('.')})",
                "Check that the port serves TLS (for example mantle serve with --tls or --broker), not plain HTTP, and, with mutual TLS, that the server accepts the client certificate."),
        RpcException rpc =>
            (rpc.Status.Detail.TrimEnd('.'), "Check the address and the port, and that " + name + " is running."),
        _ => (Innermost(failure).Message.TrimEnd('.'), "Check the address and the port."),
    };

    private static Exception Innermost(Exception error) => Causes(error).Last();

    /// <summary>The error and its causes, outermost first, through gRPC's debug exception as well.</summary>
    private static IEnumerable<Exception> Causes(Exception error)
    {
        for (var cause = error; cause is not null; cause = cause is RpcException rpc ? rpc.Status.DebugException ?? rpc.InnerException : cause.InnerException)
        {
            yield return cause;
        }
    }
}
