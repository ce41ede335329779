namespace Mantle.Serving.Repository;

/// <summary>One served model: an entry of <c>model_config_list</c>, or <c>--model_name</c>/<c>--model_base_path</c>.</summary>
public sealed record ModelConfig
{
    /// <summary>The model name clients use.</summary>
    public required string Name { get; init; }

    /// <summary>The folder holding one sub-folder per version (<c>base_path/&lt;version&gt;/model.onnx</c>).</summary>
    public required string BasePath { get; init; }

    /// <summary>The platform; only <c>onnx</c> is served. Defaults to <c>onnx</c>.</summary>
    public string Platform { get; init; } = "onnx";

    /// <summary>Which versions to serve. Defaults to the latest version.</summary>
    public ModelVersionPolicy VersionPolicy { get; init; } = ModelVersionPolicy.Default;

    /// <summary>Version labels (label → version). Every label must point at an available version at start-up.</summary>
    public IReadOnlyDictionary<string, long> Labels { get; init; } = new Dictionary<string, long>();
}
