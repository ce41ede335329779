namespace Mantle.Sealing.Keys;

/// <summary>Finds the model key a sealed model needs, by key id (from key files today, from a key broker later).</summary>
public interface IModelKeyResolver
{
    /// <summary>
    /// Returns the key with <paramref name="keyId"/>, or <see langword="null"/> if this resolver has none. The resolver
    /// keeps ownership of the key; callers do not dispose it.
    /// </summary>
    ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default);
}
