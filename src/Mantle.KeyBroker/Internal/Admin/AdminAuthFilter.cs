using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Jose;
using Mantle.KeyBroker.Internal.Crypto;
using Mantle.KeyBroker.Internal.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Internal.Admin;

/// <summary>
/// Admits an admin request with a client certificate issued by the broker CA for admin use
/// (EKU clientAuth, CN starting with <c>mantle-admin</c>), or a short-lived ES384 bearer JWT signed by the admin key
/// (<c>aud</c> = <c>mantle-broker-admin</c>). Sets the actor name in <see cref="HttpContext.Items"/>.
/// </summary>
internal sealed class AdminAuthFilter(BrokerKeys keys, IOptions<KeyBrokerOptions> options, TimeProvider time, ILogger<AdminAuthFilter> logger) : IEndpointFilter
{
    public const string ActorItem = "mantle.admin.actor";
    public const string Audience = KbsProtocol.AdminAudience;
    public const string AdminCommonNamePrefix = "mantle-admin";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var (actor, problem) = Authenticate(http);
        if (actor is null)
        {
            BrokerLog.AdminUnauthenticated(logger, problem!, RequestReader.RemoteAddress(http));
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"mantle-broker-admin\"";
            return Problems.Unauthorized(problem!);
        }

        http.Items[ActorItem] = actor;
        return await next(context);
    }

    private (string? Actor, string? Problem) Authenticate(HttpContext http)
    {
        var certificate = http.Connection.ClientCertificate;
        if (certificate is not null)
        {
            return CheckCertificate(certificate);
        }

        var authorization = http.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "Admin calls need a client certificate from the broker CA or an admin bearer token; use the admin credential made by 'mantle broker init'.");
        }

        return CheckToken(authorization["Bearer ".Length..].Trim());
    }

    private (string? Actor, string? Problem) CheckCertificate(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(keys.Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        if (!chain.Build(certificate))
        {
            return (null, "The client certificate is not a valid admin certificate issued by this broker's CA.");
        }

        var name = certificate.GetNameInfo(X509NameType.SimpleName, false);
        return name.StartsWith(AdminCommonNamePrefix, StringComparison.Ordinal)
            ? ("admin:cert:" + name, null)
            : (null, $"The client certificate '{name}' is not an admin certificate (its common name must start with '{AdminCommonNamePrefix}').");
    }

    private (string? Actor, string? Problem) CheckToken(string token)
    {
        string payload;
        try
        {
            payload = JWT.Decode(token, keys.AdminKey, JwsAlgorithm.ES384);
        }
        catch (Exception ex) when (ex is JoseException or FormatException or ArgumentException or JsonException or CryptographicException or InvalidOperationException)
        {
            return (null, "The admin bearer token is malformed or not signed by the configured admin key.");
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            if (RequestReader.GetString(root, "aud") != Audience)
            {
                return (null, $"The admin bearer token's audience must be '{Audience}'.");
            }

            var exp = root.GetProperty("exp").GetInt64();
            var iat = root.GetProperty("iat").GetInt64();
            if (exp <= now)
            {
                return (null, "The admin bearer token has expired; make a new one.");
            }

            if (iat > now + 60 || exp - iat > (long)options.Value.AdminTokenMaxLifetime.TotalSeconds)
            {
                return (null, $"The admin bearer token's lifetime must be at most {options.Value.AdminTokenMaxLifetime.TotalMinutes:0} minutes and it must not be issued in the future.");
            }

            return ("admin:" + (RequestReader.GetString(root, "sub") ?? "key"), null);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or JsonException)
        {
            return (null, "The admin bearer token needs numeric 'iat' and 'exp' claims.");
        }
    }
}
