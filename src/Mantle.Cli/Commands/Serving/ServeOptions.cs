using System.CommandLine;
using Mantle.Cli.CommandLine;
using Mantle.Serving.Hosting;

namespace Mantle.Cli.Commands.Serving;

/// <summary>The options of <c>mantle serve</c>: TF Serving's flag names, sealed models, the key broker and TLS.</summary>
internal sealed class ServeOptions
{
    public Option<int> Port { get; } = new Option<int>("--port") { Description = "gRPC port (TF Serving and KServe gRPC; HTTP/2). 0 picks a free port.", DefaultValueFactory = _ => 8500 }.Range(0, 65535);

    public Option<int> RestPort { get; } = new Option<int>("--rest_api_port") { Description = "REST port (TF Serving /v1, KServe /v2, /metrics). 0 picks a free port.", DefaultValueFactory = _ => 8501 }.Range(0, 65535);

    public Option<string> Host { get; } = new Option<string>("--host") { Description = "Address both ports bind: an IP address or localhost.", DefaultValueFactory = _ => "127.0.0.1" }.NotEmpty();

    public Option<string?> ModelName { get; } = new Option<string?>("--model_name") { Description = "Name of the single model to serve (with --model_base_path). Defaults to \"default\"." };

    public Option<string?> ModelBasePath { get; } = new Option<string?>("--model_base_path") { Description = "Folder holding <version>/model.onnx (or a sealed model) for the single model." }.InputFolder();

    public Option<string?> ConfigFile { get; } = new Option<string?>("--model_config_file") { Description = "Text-format model_config_list (several models, version policies, labels)." }.InputFile();

    public Option<int> Poll { get; } = new Option<int>("--file_system_poll_wait_seconds") { Description = "Seconds between scans of the model folders for new versions; 0 disables.", DefaultValueFactory = _ => 1 }.Range(0, (int)ServingServerOptions.MaxPollInterval.TotalSeconds, "seconds");

    public Option<int> IntraOp { get; } = new Option<int>("--intra_op_threads") { Description = "ONNX Runtime threads per operator; 0 lets ONNX Runtime decide.", DefaultValueFactory = _ => 0 }.Range(0, 1024);

    public Option<int> InterOp { get; } = new Option<int>("--inter_op_threads") { Description = "ONNX Runtime threads across operators (enables parallel execution when > 0).", DefaultValueFactory = _ => 0 }.Range(0, 1024);

    public Option<bool> EnableBatching { get; } = new Option<bool>("--enable_batching") { Description = "Batch concurrent requests per model (see --batching_parameters_file)." };

    public Option<string?> BatchingFile { get; } = new Option<string?>("--batching_parameters_file") { Description = "Text-format batching parameters: max_batch_size, batch_timeout_micros, allowed_batch_sizes, max_enqueued_batches, num_batch_threads." }.InputFile();

    public Option<int> MaxMessage { get; } = new Option<int>("--max_grpc_message_bytes") { Description = "Largest gRPC message received or sent.", DefaultValueFactory = _ => 256 * 1024 * 1024 }.Range(1, int.MaxValue, "bytes");

    public Option<long> MaxBody { get; } = new Option<long>("--max_rest_body_bytes") { Description = "Largest REST request body; larger bodies get 413.", DefaultValueFactory = _ => 256L * 1024 * 1024 }.Range(1L, long.MaxValue, "bytes");

    public Option<string[]> KeyFiles { get; } = new Option<string[]>("--key-file")
    {
        Description = "A model key file (from 'mantle keys create') for sealed models, when no key broker is used; repeat for several keys. Each sealed version uses the key whose id its manifest names.",
        Arity = ArgumentArity.ZeroOrMore,
        HelpName = "FILE",
    }.InputFile();

    public Option<string?> OwnerKey { get; } = new Option<string?>("--owner-key") { Description = "The model owner's public signing key (FILE.pub from 'mantle keys signing create'); sealed manifests must verify with it. Required for sealed models and with --broker.", HelpName = "FILE.pub" }.InputFile();

    public Option<string[]> AllowPlaintext { get; } = new Option<string[]>("--allow-plaintext-model")
    {
        Description = "Serve plaintext versions of this model although an owner key is configured or its base path holds sealed versions; repeat for several models. "
            + "Without it such a model accepts sealed versions only, so that whoever controls the disk cannot put a model of their own beside the owner's.",
        Arity = ArgumentArity.ZeroOrMore,
        HelpName = "NAME",
    };

    public Option<string?> Broker { get; } = new Option<string?>("--broker") { Description = "The key broker's URL: attest to it at start and receive the model keys (and, with --tls broker-ca, the TLS certificate) from it.", HelpName = "URL" }.BrokerAddress().HttpUrl();

    public Option<string?> BrokerCa { get; } = new Option<string?>("--broker-ca") { Description = "The broker's CA certificate (PEM): trusted for the broker's own HTTPS. Default: the system trust store.", HelpName = "FILE" }.InputFile();

    public Option<int> BrokerTimeout { get; } = new Option<int>("--broker-timeout") { Description = "Seconds to keep retrying an unreachable broker (with backoff) before giving up.", DefaultValueFactory = _ => 60 }.Range(0, int.MaxValue, "seconds");

    public Option<int> KeyCheck { get; } = new Option<int>("--key-check-seconds") { Description = "Seconds between checks that the broker still releases each model key; versions of a key it no longer releases are unloaded. 0 disables.", DefaultValueFactory = _ => 60 }.Range(0, int.MaxValue, "seconds");

    public Option<string?> Tee { get; } = new Option<string?>("--tee") { Description = "This machine's TEE, which gives the evidence: sim (development only), sgx (Gramine), tdx or snp (configfs-tsm).", HelpName = "sim|sgx|tdx|snp" };

    public Option<string?> TeeDeviceRoot { get; } = new Option<string?>("--tee-device-root") { Description = "The TEE interface folder. Default: /dev/attestation (sgx) or /sys/kernel/config/tsm/report (tdx, snp).", HelpName = "DIR" };

    public Option<string?> SimKey { get; } = new Option<string?>("--sim-key") { Description = "sim only: the simulated platform key file (created when missing). Default: $XDG_CONFIG_HOME/mantle/sim-platform-key.pem.", HelpName = "FILE" }.InputOrNewFile();

    public Option<string?> Tls { get; } = new Option<string?>("--tls") { Description = "TLS on both ports: broker-ca (certificate from the broker's CA after attestation; the default with --broker), ra-tls (self-signed, carries the TEE's evidence) or static (--tls-cert, --tls-key).", HelpName = "broker-ca|ra-tls|static" };

    public Option<string[]> TlsNames { get; } = new Option<string[]>("--tls-name") { Description = "A DNS name for the server certificate (broker-ca, ra-tls); repeat for several. Default: localhost.", Arity = ArgumentArity.ZeroOrMore, HelpName = "NAME" }.HostNames();

    public Option<string?> TlsCert { get; } = new Option<string?>("--tls-cert") { Description = "static: the server certificate (PEM).", HelpName = "FILE" }.InputFile();

    public Option<string?> TlsKey { get; } = new Option<string?>("--tls-key") { Description = "static: the server's private key (PEM), or a sealed folder holding it (its model key from --broker or --key-file).", HelpName = "FILE|DIR" }.InputPath();

    public Option<string?> ClientCa { get; } = new Option<string?>("--client-ca") { Description = "Require client certificates (mutual TLS) that chain to this CA (PEM) on both ports.", HelpName = "FILE" }.InputFile();

    public Option<bool> Plaintext { get; } = new Option<bool>("--plaintext") { Description = "Serve without TLS: anything that carries the requests sees the data. For loopback or a trusted network only." };

    public Option<bool> Json { get; } = new Option<bool>("--json") { Description = "Once listening, print {\"grpc_port\", \"rest_port\", \"tls\", \"models\", …} as one JSON line on stdout." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
        {
            Port, RestPort, Host, ModelName, ModelBasePath, ConfigFile, Poll, IntraOp, InterOp, EnableBatching, BatchingFile, MaxMessage, MaxBody,
            KeyFiles, OwnerKey, AllowPlaintext, Broker, BrokerCa, BrokerTimeout, KeyCheck, Tee, TeeDeviceRoot, SimKey, Tls, TlsNames, TlsCert, TlsKey, ClientCa,
            Plaintext, Json,
        })
        {
            command.Add(option);
        }

        Tee.AcceptOnlyFromAmong("sim", "sgx", "tdx", "snp");
        Tls.AcceptOnlyFromAmong("broker-ca", "ra-tls", "static");
    }
}
