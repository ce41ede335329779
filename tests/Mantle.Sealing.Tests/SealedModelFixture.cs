using Mantle.Sealing.Keys;
using Mantle.Sealing.Manifest;

namespace Mantle.Sealing.Tests;

/// <summary>A small model folder (nested paths, an empty file, several chunks) sealed with fresh keys.</summary>
internal sealed class SealedModelFixture : IDisposable
{
    public const int ChunkSize = 1024;

    public SealedModelFixture()
    {
        Plain = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["model.onnx"] = TestBytes.Random((3 * ChunkSize) + 11, seed: 1),
            ["model.onnx.data"] = TestBytes.Random(ChunkSize, seed: 2),
            ["tls/server.key"] = TestBytes.Random(1, seed: 3),
            ["deep/er/nest/empty.txt"] = [],
        };
        foreach (var (path, content) in Plain)
        {
            Folder.WriteFile("in/" + path, content);
        }

        SignedManifest = ModelSealer.SealAsync(Input, Output, Key, Signer, new ModelSealOptions { Name = "resnet", Version = "7", ChunkSize = ChunkSize })
            .GetAwaiter().GetResult();
        Keys.Add(ModelKey.FromBytes(Key.Bytes));
    }

    public TempFolder Folder { get; } = new();

    public ModelKey Key { get; } = ModelKey.Generate();

    public OwnerSigningKey Signer { get; } = OwnerSigningKey.Generate();

    public ModelKeyRing Keys { get; } = new();

    public Dictionary<string, byte[]> Plain { get; }

    public SealedModelManifest SignedManifest { get; }

    public string Input => Folder.Combine("in");

    public string Output => Folder.Combine("sealed");

    public string Sealed(string path) => Folder.Combine(["sealed", .. (path + ".sealed").Split('/')]);

    public SealedModelReader Reader() => new(Signer.PublicKey, Keys);

    public void Dispose()
    {
        Keys.Dispose();
        Key.Dispose();
        Signer.Dispose();
        Folder.Dispose();
    }
}
