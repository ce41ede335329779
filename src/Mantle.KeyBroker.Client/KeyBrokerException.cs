using System.Net;

namespace Mantle.KeyBroker.Client;

/// <summary>The broker refused a request or could not be reached. The message is the broker's problem title and detail.</summary>
public sealed class KeyBrokerException : Exception
{
    /// <summary>Creates an exception for a refused request.</summary>
    public KeyBrokerException(HttpStatusCode? statusCode, string title, string detail)
        : this(statusCode, title, detail, [])
    {
    }

    /// <summary>Creates an exception for a request refused by policy, with one reason per failed claim.</summary>
    public KeyBrokerException(HttpStatusCode? statusCode, string title, string detail, IReadOnlyList<string> reasons)
        : base($"{title}: {detail}")
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Reasons = reasons ?? [];
    }

    /// <summary>Creates an exception for a transport failure.</summary>
    public KeyBrokerException(string message, Exception innerException)
        : base(message, innerException)
    {
        Title = "Broker unreachable";
        Detail = message;
        Reasons = [];
    }

    /// <summary>The HTTP status the broker answered with; null when it could not be reached.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The problem title (for example <c>Refused by policy</c>).</summary>
    public string Title { get; }

    /// <summary>The problem detail: what was wrong and what to do.</summary>
    public string Detail { get; }

    /// <summary>For a policy refusal, one reason per claim the policy refused (the problem's <c>reasons</c>); otherwise empty.</summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <summary>True when the broker could not be reached or answered that it is unavailable (5xx, 429): worth retrying. A TLS failure is not.</summary>
    public bool IsTransient =>
        StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError
        || (StatusCode is null && InnerException?.InnerException is not System.Security.Authentication.AuthenticationException);
}
