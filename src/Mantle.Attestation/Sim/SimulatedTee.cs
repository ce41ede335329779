using System.Security.Cryptography;
using Mantle.Attestation.Sim.Internal;

namespace Mantle.Attestation.Sim;

/// <summary>
/// The platform key of Mantle's simulated TEE: an ECDSA P-384 key that signs <c>sim</c> evidence, kept
/// in a PEM file (by default <c>$XDG_CONFIG_HOME/mantle/sim-platform-key.pem</c>, or
/// <c>~/.config/mantle/sim-platform-key.pem</c>, created with mode 0600 on first use).
/// </summary>
/// <remarks>
/// The simulated TEE gives no security at all: anyone who can read the key file can produce evidence
/// for any measurement, and nothing protects the memory of the "attested" process. It exists so that
/// the whole flow runs on a laptop or in CI. Evidence is always labelled <c>tee: sim</c>, and policies
/// refuse it unless they list <c>sim</c> in <c>tees</c>.
/// </remarks>
public sealed class SimulatedTee : IDisposable
{
    private const string KeyFileName = "sim-platform-key.pem";

    private readonly ECDsa _key;

    private SimulatedTee(ECDsa key, bool canSign)
    {
        if (key.KeySize != 384)
        {
            key.Dispose();
            throw new AttestationException(
                AttestationErrorCode.Unsupported,
                "The simulated platform key must be an ECDSA P-384 key; create a new one by deleting the key file or pass another with --sim-key.");
        }

        _key = key;
        CanSign = canSign;
        PlatformKeyIdBytes = SHA256.HashData(key.ExportSubjectPublicKeyInfo());
        PlatformKeyId = Convert.ToHexStringLower(PlatformKeyIdBytes);
    }

    /// <summary>
    /// The default key file: <c>$XDG_CONFIG_HOME/mantle/sim-platform-key.pem</c> when
    /// <c>XDG_CONFIG_HOME</c> is set, otherwise <c>mantle/sim-platform-key.pem</c> in the user's
    /// application data folder (<c>~/.config</c> on Linux).
    /// </summary>
    public static string DefaultKeyPath
    {
        get
        {
            var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(configHome))
            {
                configHome = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            }

            if (string.IsNullOrEmpty(configHome))
            {
                configHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }

            return Path.Combine(configHome, "mantle", KeyFileName);
        }
    }

    /// <summary>True when this instance holds the private key and can sign evidence; false for a public key only (verification).</summary>
    public bool CanSign { get; }

    /// <summary>The platform key id: lower-case hex SHA-256 of the public key's SubjectPublicKeyInfo DER. Reported as the claim <c>sim.platform_key</c>.</summary>
    public string PlatformKeyId { get; }

    internal byte[] PlatformKeyIdBytes { get; }

    /// <summary>
    /// Loads the platform key from <paramref name="keyFile"/> (default <see cref="DefaultKeyPath"/>), creating
    /// a new P-384 key there (file mode 0600, folder 0700) when the file does not exist.
    /// </summary>
    /// <exception cref="AttestationException">The file exists but holds no usable key, or cannot be written.</exception>
    public static SimulatedTee LoadOrCreate(string? keyFile = null)
    {
        var path = Path.GetFullPath(keyFile ?? DefaultKeyPath);
        if (File.Exists(path))
        {
            return Load(path);
        }

        try
        {
            SimKeyFile.Create(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AttestationException(
                AttestationErrorCode.ProviderUnavailable,
                $"Cannot create the simulated platform key file '{path}': {ex.Message}. Pass a writable path with --sim-key.",
                ex);
        }

        return Load(path);
    }

    /// <summary>
    /// Loads a platform key from a PEM file (default <see cref="DefaultKeyPath"/>): a private key
    /// (<c>PRIVATE KEY</c> or <c>EC PRIVATE KEY</c>) gives an instance that can sign, a <c>PUBLIC KEY</c> one that can only verify.
    /// </summary>
    /// <exception cref="AttestationException">The file does not exist or holds no usable key.</exception>
    public static SimulatedTee Load(string? keyFile = null)
    {
        var path = Path.GetFullPath(keyFile ?? DefaultKeyPath);
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AttestationException(
                AttestationErrorCode.ProviderUnavailable,
                $"Cannot read the simulated platform key '{path}': {ex.Message}. Create sim evidence once on this machine (which creates the key) or pass the key file with --sim-key.",
                ex);
        }

        return FromPem(pem, path);
    }

    /// <summary>Creates an instance from PEM text holding a P-384 private or public key.</summary>
    /// <exception cref="AttestationException">The text holds no usable key.</exception>
    public static SimulatedTee FromPem(string pem) => FromPem(pem, "the given PEM text");

    /// <summary>Creates a platform key that lives only in memory (tests, one-process demos).</summary>
    public static SimulatedTee CreateEphemeral() => new(ECDsa.Create(ECCurve.NamedCurves.nistP384), canSign: true);

    /// <summary>Returns the public key as PEM (<c>PUBLIC KEY</c>), for verifiers on other machines.</summary>
    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Returns a public-key-only copy, which can verify but not sign.</summary>
    public SimulatedTee ToPublicOnly()
    {
        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(_key.ExportSubjectPublicKeyInfo(), out _);
        return new SimulatedTee(key, canSign: false);
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    internal byte[] Sign(ReadOnlySpan<byte> data)
    {
        if (!CanSign)
        {
            throw new InvalidOperationException("This simulated platform key holds only the public key and cannot sign evidence.");
        }

        return _key.SignData(data, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    internal bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        _key.VerifyData(data, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private static SimulatedTee FromPem(string pem, string source)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new AttestationException(
                AttestationErrorCode.Unsupported,
                $"{source} holds no ECDSA P-384 key in PEM form (PRIVATE KEY, EC PRIVATE KEY or PUBLIC KEY).",
                ex);
        }

        bool canSign;
        try
        {
            key.ExportParameters(includePrivateParameters: true);
            canSign = true;
        }
        catch (CryptographicException)
        {
            canSign = false;
        }

        return new SimulatedTee(key, canSign);
    }
}
