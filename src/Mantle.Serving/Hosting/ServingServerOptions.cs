using Mantle.Serving.Repository;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Hosting;

/// <summary>Settings of a <see cref="ServingServer"/>: listeners, limits, models and polling.</summary>
public sealed class ServingServerOptions
{
    /// <summary>The address both listeners bind (<c>--host</c>): an IP address or <c>localhost</c>. Defaults to 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The gRPC port (<c>--port</c>, HTTP/2 only); 0 picks a free port. Defaults to 8500.</summary>
    public int GrpcPort { get; set; } = 8500;

    /// <summary>The REST port (<c>--rest_api_port</c>; HTTP/1.1 in plaintext, HTTP/1.1 and HTTP/2 over TLS); 0 picks a free port. Defaults to 8501.</summary>
    public int RestPort { get; set; } = 8501;

    /// <summary>The models to serve (ignored when a repository is passed to <see cref="ServingServer.StartAsync(Engine.IModelRepository, ServingServerOptions, CancellationToken)"/>).</summary>
    public IList<ModelConfig> Models { get; } = [];

    /// <summary>
    /// The <c>--model_config_file</c> the models came from, or null. When set and polling is on, the
    /// file is re-read whenever its modification time changes: models are added, removed or
    /// re-configured; a file that does not parse is logged and the running configuration kept.
    /// </summary>
    public string? ModelConfigFile { get; set; }

    /// <summary>How versions are read, loaded and batched.</summary>
    public ModelRepositoryOptions Repository { get; set; } = new();

    /// <summary>The longest <see cref="PollInterval"/>: 4294967 seconds (about 49 days), the longest period of the polling timer.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(4_294_967);

    /// <summary>
    /// How often the model folders are re-read (<c>--file_system_poll_wait_seconds</c>); zero disables polling,
    /// a negative value or one above <see cref="MaxPollInterval"/> is refused. Defaults to 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest gRPC message received or sent, in bytes. Defaults to 256 MiB.</summary>
    public int MaxGrpcMessageBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>The largest REST request body, in bytes (larger bodies get 413). Defaults to 256 MiB.</summary>
    public long MaxRestRequestBodyBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Concurrent HTTP/2 streams per connection. Defaults to 1000 (Kestrel's default is 100).</summary>
    public int Http2MaxStreamsPerConnection { get; set; } = 1000;

    /// <summary>The HTTP/2 connection flow-control window, in bytes. Defaults to 16 MiB.</summary>
    public int Http2ConnectionWindowBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The HTTP/2 per-stream flow-control window, in bytes. Defaults to 8 MiB.</summary>
    public int Http2StreamWindowBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>TLS on both listeners (server certificate, optional client certificates), or null for plaintext. Defaults to null.</summary>
    public Tls.ServingTlsOptions? Tls { get; set; }

    /// <summary>Where the server logs, or null for the console.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Checks the values; returns one message per problem, naming the option.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (GrpcPort is < 0 or > 65535)
        {
            problems.Add($"port must be between 0 and 65535, not {GrpcPort}.");
        }

        if (RestPort is < 0 or > 65535)
        {
            problems.Add($"rest_api_port must be between 0 and 65535, not {RestPort}.");
        }

        if (GrpcPort != 0 && GrpcPort == RestPort)
        {
            problems.Add($"port and rest_api_port must differ (both are {GrpcPort}).");
        }

        if (!string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) && !System.Net.IPAddress.TryParse(Host, out _))
        {
            problems.Add($"host must be an IP address or localhost, not '{Host}'.");
        }

        if (PollInterval < TimeSpan.Zero || PollInterval > MaxPollInterval)
        {
            problems.Add($"file_system_poll_wait_seconds must be between 0 (no polling) and {(long)MaxPollInterval.TotalSeconds} seconds, not {PollInterval.TotalSeconds:0.###}.");
        }

        if (MaxGrpcMessageBytes < 1024 * 1024)
        {
            problems.Add($"the gRPC message limit must be at least 1 MiB, not {MaxGrpcMessageBytes} bytes.");
        }

        if (MaxRestRequestBodyBytes < 1024)
        {
            problems.Add($"the REST body limit must be at least 1 KiB, not {MaxRestRequestBodyBytes} bytes.");
        }

        if (Http2StreamWindowBytes < 65_535 || Http2ConnectionWindowBytes < Http2StreamWindowBytes)
        {
            problems.Add("the HTTP/2 stream window must be at least 65535 bytes and no larger than the connection window.");
        }

        if (Http2MaxStreamsPerConnection < 1)
        {
            problems.Add("the HTTP/2 stream limit must be at least 1.");
        }

        List<string> unknown = Models.Count == 0 ? [] : Repository.AllowPlaintext.Where(name => !Models.Any(m => string.Equals(m.Name, name, StringComparison.Ordinal))).ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"allow-plaintext-model: {string.Join(", ", unknown.Select(n => $"'{n}'"))} {(unknown.Count == 1 ? "is not a served model" : "are not served models")} (models: {string.Join(", ", Models.Select(m => m.Name))}).");
        }

        problems.AddRange(Repository.Onnx.Validate());
        if (Repository.Batching is { } batching)
        {
            problems.AddRange(batching.Validate());
        }

        return problems;
    }
}
