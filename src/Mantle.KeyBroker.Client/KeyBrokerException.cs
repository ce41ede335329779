using System.Net;

namespace Mantle.KeyBroker.Client;

/// <summary>The broker refused a request or could not be reached. The message is the broker's problem title and detail.</summary>
public sealed class KeyBrokerException : Exception
{
    /// <summary>Creates an exception for a refused request.</summary>
    public KeyBrokerException(HttpStatusCode? statusCode, string title, string detail)
        : base($"{title}: {detail}")
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
    }

    /// <summary>Creates an exception for a transport failure.</summary>
    public KeyBrokerException(string message, Exception innerException)
        : base(message, innerException)
    {
        Title = "Broker unreachable";
        Detail = message;
    }

    /// <summary>The HTTP status the broker answered with; null when it could not be reached.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The problem title (for example <c>Refused by policy</c>).</summary>
    public string Title { get; }

    /// <summary>The problem detail: what was wrong and what to do.</summary>
    public string Detail { get; }
}
