using Mantle.Serving.Engine;
using Mantle.Serving.Repository.Internal;

namespace Mantle.Serving.Repository;

/// <summary>
/// Which models accept sealed versions only. Whoever controls the disk can drop a plaintext version beside the owner's
/// sealed ones; for such a model that folder is refused before any of its bytes are read.
/// </summary>
public sealed partial class ModelRepository
{
    /// <summary>The <c>mantle serve</c> option that fills <see cref="ModelRepositoryOptions.AllowPlaintext"/>, named in refusals.</summary>
    internal const string AllowPlaintextFlag = "--allow-plaintext-model";

    /// <summary>Marks the model once a sealed version folder appears; the mark stays when the folder goes.</summary>
    private void NoteSealedVersions(ModelEntry entry, IEnumerable<string> folders)
    {
        if (!entry.HasSealedVersions && folders.Any(folder => _options.Sources.Any(s => s.IsSealed && s.CanRead(folder))))
        {
            entry.HasSealedVersions = true;
        }
    }

    /// <exception cref="ModelRefusedException"><paramref name="source"/> reads plaintext and the model accepts sealed versions only.</exception>
    private void ThrowIfPlaintextRefused(ModelEntry entry, IModelSource source, long version, string folder)
    {
        if (source.IsSealed || WhyPlaintextIsRefused(entry) is not { } reason)
        {
            return;
        }

        var name = entry.Config.Name;
        throw new ModelRefusedException(
            $"Model '{name}' version {version}: {folder} holds a plaintext model, but model '{name}' accepts sealed versions only ({reason}). "
            + $"Seal the model with 'mantle seal', or pass {AllowPlaintextFlag} {name} to serve plaintext versions of this model.");
    }

    /// <summary>Why plaintext versions of the model are refused, or null when they are allowed.</summary>
    private string? WhyPlaintextIsRefused(ModelEntry entry)
    {
        if (_options.AllowPlaintext.Contains(entry.Config.Name))
        {
            return null;
        }

        if (_options.RequireSealed)
        {
            return "an owner key is configured, so every model must be sealed";
        }

        return entry.HasSealedVersions ? "its base path holds sealed versions" : null;
    }
}
