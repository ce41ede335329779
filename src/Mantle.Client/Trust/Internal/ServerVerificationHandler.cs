namespace Mantle.Client.Trust.Internal;

/// <summary>
/// Turns a failed connection into the reason the server was refused: the <see cref="ServerVerificationException"/> that
/// the certificate check threw inside the handshake, or the server's refusal of a client without a certificate.
/// </summary>
internal sealed class ServerVerificationHandler(HttpMessageHandler inner, ServerCertificateValidator validator) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException error) when (Explain(error, validator) is { } refusal)
        {
            throw refusal;
        }
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return base.Send(request, cancellationToken);
        }
        catch (HttpRequestException error) when (Explain(error, validator) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>The refusal behind a failed request, or null when the failure has another cause.</summary>
    public static ServerVerificationException? Explain(Exception error, ServerCertificateValidator validator)
    {
        if (Find(error) is { } refusal)
        {
            return refusal.Rethrown(error);
        }

        return validator.ClientCertificate is null && validator.ClientCertificateRequested && error is HttpRequestException or IOException
            ? ClientCertificateRequired(error)
            : null;
    }

    public static ServerVerificationException ClientCertificateRequired(Exception error) => new(
        ServerVerificationFailure.ClientCertificateRequired,
        "The server asked for a client certificate and closed the connection without one (mutual TLS). Give a client certificate and its key (--cert FILE --key FILE, or ServerTrust.ClientCertificate).",
        error);

    /// <summary>The refusal among the causes of <paramref name="error"/>.</summary>
    public static ServerVerificationException? Find(Exception? error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is ServerVerificationException refusal)
            {
                return refusal;
            }

            if (current is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(Find).FirstOrDefault(r => r is not null);
            }
        }

        return null;
    }
}
