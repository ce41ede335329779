namespace Mantle.Serving.KServe.Internal;

/// <summary>One input of a REST infer request as read from the JSON header.</summary>
internal sealed class KServeInputHeader
{
    public string Name { get; set; } = "";

    public string? Datatype { get; set; }

    public long[]? Shape { get; set; }

    /// <summary>Set when the elements follow the JSON header (binary tensor extension).</summary>
    public long? BinaryDataSize { get; set; }

    /// <summary>Where the JSON "data" value starts and ends in the header, or (-1, -1).</summary>
    public (int Start, int End) DataRange { get; set; } = (-1, -1);
}
