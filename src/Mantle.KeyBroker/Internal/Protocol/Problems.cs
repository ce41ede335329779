using Microsoft.AspNetCore.Http;

namespace Mantle.KeyBroker.Internal.Protocol;

/// <summary>RFC 7807 problem responses with a stable short title per status.</summary>
internal static class Problems
{
    public static IResult BadRequest(string detail) => Make(StatusCodes.Status400BadRequest, "Malformed request", detail);

    public static IResult Unauthorized(string detail) => Make(StatusCodes.Status401Unauthorized, "Not authenticated", detail);

    public static IResult Forbidden(string detail, IReadOnlyList<string>? reasons = null) =>
        Make(StatusCodes.Status403Forbidden, "Refused by policy", detail, reasons);

    public static IResult NotFound(string detail) => Make(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Make(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult TooLarge(string detail) => Make(StatusCodes.Status413PayloadTooLarge, "Request too large", detail);

    /// <summary>A request for a method and path that no endpoint serves.</summary>
    public static IResult NoEndpoint(HttpContext context) => Make(
        StatusCodes.Status404NotFound,
        "Not found",
        $"No endpoint serves {context.Request.Method} {Quote(context.Request.Path.Value ?? "")}; the broker serves /kbs/v0/… (auth, attest, resource, certificate, ca), /.well-known/jwks.json and /admin/v0/… (resources, policies, audit).");

    public static IResult Make(int status, string title, string detail, IReadOnlyList<string>? reasons = null)
    {
        Dictionary<string, object?>? extensions = reasons is { Count: > 0 } ? new() { ["reasons"] = reasons } : null;
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    private static string Quote(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
