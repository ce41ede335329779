namespace Mantle.Sealing.Manifest;

/// <summary>One file of a sealed model, as listed in the signed manifest.</summary>
public sealed class SealedFileEntry
{
    /// <summary>The file's relative path in the original model ('/'-separated), bound into its file key.</summary>
    public required string Path { get; init; }

    /// <summary>The plaintext size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>The SHA-256 of the plaintext, 64 lowercase hex digits.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The sealed file's relative path in the sealed folder (<c>Path + ".sealed"</c> when Mantle seals).</summary>
    public required string SealedName { get; init; }

    /// <summary>The SHA-256 of the sealed file's 56-byte header, 64 lowercase hex digits.</summary>
    public required string HeaderSha256 { get; init; }
}
