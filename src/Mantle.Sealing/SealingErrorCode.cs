namespace Mantle.Sealing;

/// <summary>Why a sealing operation refused its input. Stable: scripts and the server map these codes.</summary>
public enum SealingErrorCode
{
    /// <summary>A key file or key value is malformed (wrong length, bad encoding, id that does not match the key).</summary>
    InvalidKey = 1,

    /// <summary>No model key with the id a sealed model needs was supplied.</summary>
    KeyNotFound,

    /// <summary>The supplied model key is not the one the file was sealed with.</summary>
    KeyMismatch,

    /// <summary>The file does not start with the <c>MNTLSEAL</c> magic: it is not a sealed file.</summary>
    NotSealedFile,

    /// <summary>The header names a format version or algorithm this implementation does not support.</summary>
    UnsupportedFormat,

    /// <summary>The header is structurally wrong (reserved bytes set, chunk size out of range, too short).</summary>
    InvalidHeader,

    /// <summary>The header differs from the one recorded in the signed manifest (file replaced or header altered).</summary>
    HeaderMismatch,

    /// <summary>A chunk failed AES-GCM authentication: altered ciphertext or tag, reordered chunks, wrong path or key.</summary>
    ChunkAuthenticationFailed,

    /// <summary>The sealed file ends early (cut at or inside a chunk).</summary>
    Truncated,

    /// <summary>The sealed file has bytes after its final chunk.</summary>
    TrailingData,

    /// <summary>The plaintext size differs from the size in the manifest.</summary>
    SizeMismatch,

    /// <summary>The plaintext SHA-256 differs from the hash in the manifest.</summary>
    HashMismatch,

    /// <summary>The folder has no <c>mantle-manifest.json</c>.</summary>
    ManifestMissing,

    /// <summary>The manifest is not a well-formed signed Mantle manifest.</summary>
    ManifestInvalid,

    /// <summary>The manifest was signed by a key other than the configured owner key.</summary>
    ManifestUntrustedSigner,

    /// <summary>The manifest signature does not verify with the owner key (manifest edited or forged).</summary>
    ManifestSignatureInvalid,

    /// <summary>A file listed in the manifest is missing from the folder.</summary>
    FileMissing,

    /// <summary>The folder holds a file the manifest does not list.</summary>
    UnexpectedFile,

    /// <summary>A relative path is not allowed (absolute, <c>..</c>, backslash, empty segment, duplicate).</summary>
    InvalidPath,

    /// <summary>A signing key or public key file is malformed or not ECDSA P-384.</summary>
    InvalidSigningKey,

    /// <summary>The output already exists and would be overwritten.</summary>
    OutputExists,

    /// <summary>A file is too large for the requested operation (in-memory unsealing is limited to <see cref="Array.MaxLength"/> bytes per file).</summary>
    TooLarge,

    /// <summary>A private signing key was given where the owner's public key is wanted; the private key must stay on the owner's machine.</summary>
    PrivateKeyGiven,
}
