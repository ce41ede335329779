using Mantle.Serving.Tests.Models;

namespace Mantle.Serving.Tests.Sealed;

/// <summary>
/// ResNet-18 sealed once per test class (63 MB): <see cref="SealedBasePath"/> holds version 1 sealed, and
/// <see cref="PlainBasePath"/> the same model in plaintext (a link to the NuGet file), side by side.
/// </summary>
public sealed class SealedResNetFixture : IAsyncLifetime
{
    private readonly TempFolder _root = new();

    internal ModelOwner Owner { get; private set; } = null!;

    public string SealedBasePath => Path.Combine(_root.Path, "sealed-resnet");

    public string PlainBasePath => Path.Combine(_root.Path, "plain-resnet");

    public async Task InitializeAsync()
    {
        Owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
        await Owner.SealFileAsync(TestModels.ResNet18Path, SealedBasePath, 1, "resnet");
        var plain = Path.Combine(PlainBasePath, "1");
        Directory.CreateDirectory(plain);
        File.CreateSymbolicLink(Path.Combine(plain, "model.onnx"), TestModels.ResNet18Path);
    }

    public Task DisposeAsync()
    {
        Owner.Dispose();
        _root.Dispose();
        return Task.CompletedTask;
    }
}
