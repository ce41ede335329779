namespace Mantle.Serving.KServe.Internal;

/// <summary>The JSON header of a REST infer request.</summary>
internal sealed class KServeInferHeader
{
    public string? Id { get; set; }

    public List<KServeInputHeader> Inputs { get; } = [];

    /// <summary>Requested outputs: name and, when given, whether it is wanted in binary form.</summary>
    public List<(string Name, bool? Binary)> Outputs { get; } = [];

    /// <summary>The request-level <c>binary_data_output</c> parameter.</summary>
    public bool BinaryDataOutput { get; set; }
}
