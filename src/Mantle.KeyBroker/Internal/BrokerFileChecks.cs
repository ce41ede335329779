using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation;
using Mantle.Attestation.Policy;

namespace Mantle.KeyBroker.Internal;

/// <summary>
/// Checks that each file of a broker configuration folder holds what the broker reads from it, so that a damaged
/// file stops the start, naming the file and the reason, instead of failing every request later. Files that are
/// absent are left to the presence checks (required files) or allowed (optional ones). No message quotes key
/// material.
/// </summary>
internal static class BrokerFileChecks
{
    public static void Check(string directory, TimeProvider time, List<string> problems)
    {
        using var caKey = Read(directory, BrokerFiles.CaKey, problems, text => PrivateKey(text, requireP384: false));
        Read(directory, BrokerFiles.CaCertificate, problems, text => CaCertificate(text, caKey, time));
        Read(directory, BrokerFiles.TokenSigningKey, problems, text => PrivateKey(text, requireP384: true))?.Dispose();
        Read(directory, BrokerFiles.AdminPublicKey, problems, AdminKey)?.Dispose();
        Read(directory, BrokerFiles.DefaultPolicy, problems, Policy);
        MasterKey(directory, problems);
    }

    private static T? Read<T>(string directory, string file, List<string> problems, Func<string, T> check)
        where T : class
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return check(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path} cannot be read: {ex.Message}");
        }
        catch (InvalidDataException ex)
        {
            problems.Add($"{path} {ex.Message}; restore it, or make a new configuration folder with 'mantle broker init'.");
        }

        return null;
    }

    private static ECDsa PrivateKey(string text, bool requireP384)
    {
        var key = ImportEc(text, "an EC private key");
        try
        {
            _ = key.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException("holds a public key where the private key is expected");
        }

        if (requireP384 && key.KeySize != 384)
        {
            var size = key.KeySize;
            key.Dispose();
            throw new InvalidDataException($"holds a {size}-bit EC key; attestation tokens are signed with ES384, which needs a P-384 key");
        }

        return key;
    }

    private static ECDsa AdminKey(string text)
    {
        var key = ImportEc(text, "the admin EC public key");
        if (key.KeySize != 384)
        {
            var size = key.KeySize;
            key.Dispose();
            throw new InvalidDataException($"holds a {size}-bit EC key; admin tokens are signed with ES384, which needs a P-384 key");
        }

        return key;
    }

    private static ECDsa ImportEc(string text, string what)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"is not {what} in PEM form ({ex.Message})");
        }
    }

    private static string CaCertificate(string text, ECDsa? caKey, TimeProvider time)
    {
        X509Certificate2 ca;
        try
        {
            ca = X509Certificate2.CreateFromPem(text);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"is not a PEM certificate ({ex.Message})");
        }

        using (ca)
        {
            if (!ca.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            {
                throw new InvalidDataException("is not a CA certificate (its basic constraints do not allow signing certificates)");
            }

            if (ca.NotAfter.ToUniversalTime() <= time.GetUtcNow().UtcDateTime)
            {
                throw new InvalidDataException($"expired on {ca.NotAfter.ToUniversalTime():u}; the broker cannot issue certificates with it");
            }

            if (caKey is not null)
            {
                try
                {
                    ca.CopyWithPrivateKey(caKey).Dispose();
                }
                catch (ArgumentException)
                {
                    throw new InvalidDataException($"does not match {BrokerFiles.CaKey}: the certificate's public key is not that key's");
                }
            }
        }

        return text;
    }

    private static string Policy(string text)
    {
        try
        {
            AttestationPolicy.Parse(text);
            return text;
        }
        catch (AttestationException ex)
        {
            throw new InvalidDataException($"is not a valid attestation policy: {ex.Message}");
        }
    }

    /// <summary>The master key the default provider would read: the environment variable when set, else the file when present.</summary>
    private static void MasterKey(string directory, List<string> problems)
    {
        var path = Path.Combine(directory, BrokerFiles.MasterKey);
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(FileMasterKeyProvider.EnvironmentVariable)) && !File.Exists(path))
        {
            return;
        }

        try
        {
            FileMasterKeyProvider.Load(path).Dispose();
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path} cannot be read: {ex.Message}");
        }
    }
}
