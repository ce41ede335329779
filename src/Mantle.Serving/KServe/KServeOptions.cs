namespace Mantle.Serving.KServe;

/// <summary>Options of the KServe v2 APIs (configuration section <c>Serving:KServe</c>).</summary>
public sealed class KServeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Serving:KServe";

    /// <summary>The server name reported by server metadata. Defaults to <c>mantle</c>.</summary>
    public string ServerName { get; set; } = "mantle";
}
