namespace Mantle.Sealing.Keys;

/// <summary>A fixed set of model keys by id (for example from repeated <c>--key-file</c> options). Disposing it clears the keys.</summary>
public sealed class ModelKeyRing : IModelKeyResolver, IDisposable
{
    private readonly Dictionary<string, ModelKey> _keys = new(StringComparer.Ordinal);

    /// <summary>The ids of the keys held.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Loads key files into a new ring.</summary>
    /// <exception cref="SealingException">A file is not a valid model key file.</exception>
    public static ModelKeyRing Load(IEnumerable<string> keyFiles)
    {
        var ring = new ModelKeyRing();
        try
        {
            foreach (var file in keyFiles)
            {
                ring.Add(ModelKey.Load(file));
            }

            return ring;
        }
        catch
        {
            ring.Dispose();
            throw;
        }
    }

    /// <summary>Adds a key; the ring takes ownership. A second key with the same id replaces nothing and is disposed.</summary>
    public void Add(ModelKey key)
    {
        if (!_keys.TryAdd(key.Id, key))
        {
            key.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_keys.GetValueOrDefault(keyId));

    /// <summary>Clears every key.</summary>
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }
}
