using Mantle.Sealing;
using Mantle.Sealing.Keys;

namespace Mantle.Serving.Tests.Sealed;

/// <summary>
/// A model owner for tests: a model key and a signing key, saved as the files <c>mantle serve</c> takes
/// (<c>model.key</c>, <c>owner.pem.pub</c>), that seals models into version folders.
/// </summary>
internal sealed class ModelOwner : IDisposable
{
    public ModelOwner(string folder)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
        Key.Save(KeyFile);
        Signer.Save(SigningKeyFile);
        Keys = ModelKeyRing.Load([KeyFile]);
    }

    public string Folder { get; }

    public ModelKey Key { get; } = ModelKey.Generate();

    public OwnerSigningKey Signer { get; } = OwnerSigningKey.Generate();

    /// <summary>The owner's model key, loaded from <see cref="KeyFile"/> as the server would.</summary>
    public ModelKeyRing Keys { get; }

    public OwnerPublicKey PublicKey => Signer.PublicKey;

    public string KeyFile => Path.Combine(Folder, "model.key");

    public string SigningKeyFile => Path.Combine(Folder, "owner.pem");

    public string PublicKeyFile => SigningKeyFile + ".pub";

    /// <summary>
    /// Seals <paramref name="model"/> as <c>model.onnx</c> into <c>basePath/version</c>; the plaintext input is deleted.
    /// <paramref name="signer"/> signs the manifest instead of this owner's key (someone else's model under this model key).
    /// </summary>
    public async Task<string> SealAsync(string basePath, long version, byte[] model, string name = "m", OwnerSigningKey? signer = null)
    {
        var input = Path.Combine(Folder, "plain-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(input);
        await File.WriteAllBytesAsync(Path.Combine(input, "model.onnx"), model);
        try
        {
            return await SealFileAsync(input, basePath, version, name, signer);
        }
        finally
        {
            Directory.Delete(input, recursive: true);
        }
    }

    /// <summary>Seals a file or folder into <c>basePath/version</c> and returns the version folder.</summary>
    public async Task<string> SealFileAsync(string input, string basePath, long version, string name, OwnerSigningKey? signer = null)
    {
        var folder = Path.Combine(basePath, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ModelSealer.SealAsync(input, folder, Key, signer ?? Signer, new ModelSealOptions { Name = name, Version = version.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return folder;
    }

    public void Dispose()
    {
        Keys.Dispose();
        Key.Dispose();
        Signer.Dispose();
    }
}
