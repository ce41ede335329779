using System.Diagnostics.CodeAnalysis;

namespace Mantle.Serving.Engine;

/// <summary>The result of looking up a model version: the model, or why it is not available.</summary>
public readonly struct ModelLookup
{
    private ModelLookup(IServableModel? model, ServingError? error)
    {
        Model = model;
        Error = error;
    }

    /// <summary>The model, when found.</summary>
    public IServableModel? Model { get; }

    /// <summary>Why the model is not available (NotFound for an unknown name, version or label; Unavailable while loading).</summary>
    public ServingError? Error { get; }

    /// <summary>True when <see cref="Model"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Model))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Found => Model is not null;

    /// <summary>A successful lookup.</summary>
    public static ModelLookup Of(IServableModel model) => new(model, null);

    /// <summary>A failed lookup.</summary>
    public static ModelLookup Failed(ServingErrorCode code, string message) => new(null, new ServingError(code, message));
}
