using Mantle.Client.Images;
using Mantle.Client.Load;
using Mantle.Client.Trust;

namespace Mantle.Cli.Commands.Demo;

/// <summary>What the demo did and measured, for the summary.</summary>
internal sealed class DemoResult
{
    public required string WorkFolder { get; init; }

    public List<(string Step, TimeSpan Elapsed)> Steps { get; } = [];

    public string? Measurement { get; set; }

    public string? KeyId { get; set; }

    public long ModelBytes { get; set; }

    public double SealMegabytesPerSecond { get; set; }

    public string? BrokerUrl { get; set; }

    public int GrpcPort { get; set; }

    public int RestPort { get; set; }

    public ServerStart? ServerStart { get; set; }

    public VerifiedServer? Verified { get; set; }

    public IReadOnlyList<ClassScore>? Classes { get; set; }

    public string? ClassifiedImage { get; set; }

    public LoadResult? Grpc { get; set; }

    public LoadResult? Rest { get; set; }

    public TimeSpan Total { get; set; }
}

/// <summary>The server's own account of its confidential start (its <c>--json</c> line), in milliseconds.</summary>
internal sealed record ServerStart(double AttestationMs, double KeyReleaseMs, double UnsealMs, long UnsealedBytes, double ReadyMs)
{
    public double UnsealMegabytesPerSecond => UnsealMs <= 0 ? 0 : UnsealedBytes / 1e6 / (UnsealMs / 1000);
}
