namespace Mantle.Serving.KServe;

/// <summary>Options of the KServe v2 APIs (configuration section <c>Serving:KServe</c>).</summary>
public sealed class KServeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Serving:KServe";

    /// <summary>
    /// The largest REST infer request body, in bytes (JSON header and binary data together). Larger
    /// requests are refused with 413. Defaults to 64 MiB.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The server name reported by server metadata. Defaults to <c>mantle</c>.</summary>
    public string ServerName { get; set; } = "mantle";
}
