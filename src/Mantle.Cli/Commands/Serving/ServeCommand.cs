using System.CommandLine;
using System.Text.Json;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Mantle.Serving.Batching;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Microsoft.Extensions.Logging;

namespace Mantle.Cli.Commands.Serving;

/// <summary><c>mantle serve</c>: the inference server, with TF Serving's flag names.</summary>
internal static class ServeCommand
{
    public const string PlaintextRequired = "TLS is not available yet; pass --plaintext to serve without TLS.";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "gRPC port (TF Serving and KServe gRPC; HTTP/2 cleartext). 0 picks a free port.", DefaultValueFactory = _ => 8500 };
        var restPort = new Option<int>("--rest_api_port") { Description = "REST port (TF Serving /v1, KServe /v2, /metrics). 0 picks a free port.", DefaultValueFactory = _ => 8501 };
        var host = new Option<string>("--host") { Description = "Address both ports bind: an IP address or localhost.", DefaultValueFactory = _ => "127.0.0.1" };
        var modelName = new Option<string?>("--model_name") { Description = "Name of the single model to serve (with --model_base_path). Defaults to \"default\"." };
        var modelBasePath = new Option<string?>("--model_base_path") { Description = "Folder holding <version>/model.onnx (or a sealed model) for the single model." };
        var configFile = new Option<string?>("--model_config_file") { Description = "Text-format model_config_list (several models, version policies, labels)." };
        var poll = new Option<int>("--file_system_poll_wait_seconds") { Description = "Seconds between scans of the model folders for new versions; 0 disables.", DefaultValueFactory = _ => 1 };
        var plaintext = new Option<bool>("--plaintext") { Description = "Serve without TLS (required until TLS modes are available)." };
        var intraOp = new Option<int>("--intra_op_threads") { Description = "ONNX Runtime threads per operator; 0 lets ONNX Runtime decide.", DefaultValueFactory = _ => 0 };
        var interOp = new Option<int>("--inter_op_threads") { Description = "ONNX Runtime threads across operators (enables parallel execution when > 0).", DefaultValueFactory = _ => 0 };
        var enableBatching = new Option<bool>("--enable_batching") { Description = "Batch concurrent requests per model (see --batching_parameters_file)." };
        var batchingFile = new Option<string?>("--batching_parameters_file") { Description = "Text-format batching parameters: max_batch_size, batch_timeout_micros, allowed_batch_sizes, max_enqueued_batches, num_batch_threads." };
        var maxMessage = new Option<int>("--max_grpc_message_bytes") { Description = "Largest gRPC message received or sent.", DefaultValueFactory = _ => 256 * 1024 * 1024 };
        var maxBody = new Option<long>("--max_rest_body_bytes") { Description = "Largest REST request body; larger bodies get 413.", DefaultValueFactory = _ => 256L * 1024 * 1024 };
        var keyFiles = new Option<string[]>("--key-file")
        {
            Description = "A model key file (from 'mantle keys create') for sealed models; repeat for several keys. Each sealed version uses the key whose id its manifest names.",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "FILE",
        };
        var ownerKey = new Option<string?>("--owner-key") { Description = "The model owner's public signing key (FILE.pub from 'mantle keys signing create'); sealed manifests must verify with it. Required to serve sealed models.", HelpName = "FILE.pub" };
        var allowPlaintext = new Option<string[]>("--allow-plaintext-model")
        {
            Description = "Serve plaintext versions of this model although an owner key is configured or its base path holds sealed versions; repeat for several models. "
                + "Without it such a model accepts sealed versions only, so that whoever controls the disk cannot put a model of their own beside the owner's.",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "NAME",
        };
        var json = new Option<bool>("--json") { Description = "Once listening, print {\"grpc_port\", \"rest_port\", \"models\"} as one JSON line on stdout." };

        var command = new Command("serve", "Serve ONNX models, plaintext or sealed (--owner-key, --key-file), over the TF Serving and KServe v2 REST and gRPC APIs.")
        {
            port, restPort, host, modelName, modelBasePath, configFile, poll, plaintext, intraOp, interOp,
            enableBatching, batchingFile, maxMessage, maxBody, keyFiles, ownerKey, allowPlaintext, json,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(plaintext))
            {
                await Console.Error.WriteLineAsync(PlaintextRequired);
                return ExitCodes.UsageError;
            }

            var options = new ServingServerOptions
            {
                Host = parse.GetValue(host)!,
                GrpcPort = parse.GetValue(port),
                RestPort = parse.GetValue(restPort),
                PollInterval = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(poll))),
                MaxGrpcMessageBytes = parse.GetValue(maxMessage),
                MaxRestRequestBodyBytes = parse.GetValue(maxBody),
            };
            options.Repository.Onnx.IntraOpThreads = parse.GetValue(intraOp);
            options.Repository.Onnx.InterOpThreads = parse.GetValue(interOp);
            options.Repository.Onnx.ParallelExecution = parse.GetValue(interOp) > 0;

            try
            {
                options.ModelConfigFile = parse.GetValue(configFile) is { } path ? Path.GetFullPath(path) : null;
                foreach (var model in ReadModels(parse.GetValue(configFile), parse.GetValue(modelName), parse.GetValue(modelBasePath)))
                {
                    options.Models.Add(model);
                }

                var batchingPath = parse.GetValue(batchingFile);
                if (parse.GetValue(enableBatching))
                {
                    options.Repository.Batching = batchingPath is null ? new BatchingOptions() : BatchingParametersFile.Load(batchingPath);
                }
                else if (batchingPath is not null)
                {
                    throw new ConfigFileException("--batching_parameters_file needs --enable_batching.");
                }
            }
            catch (ConfigFileException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.UsageError;
            }

            OwnerPublicKey? owner;
            ModelKeyRing keyRing;
            try
            {
                owner = parse.GetValue(ownerKey) is { } ownerKeyPath ? OwnerPublicKey.Load(ownerKeyPath) : null;
                try
                {
                    keyRing = ModelKeyRing.Load(parse.GetValue(keyFiles) ?? []);
                }
                catch
                {
                    owner?.Dispose();
                    throw;
                }
            }
            catch (SealingException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.UsageError;
            }

            using var ownerScope = owner;
            using var keyRingScope = keyRing;
            using var loggerFactory = LoggerFactory.Create(b => b
                .AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddSimpleConsole(c =>
                {
                    c.SingleLine = true;
                    c.TimestampFormat = "HH:mm:ss ";
                })
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("Grpc", LogLevel.Warning));
            options.LoggerFactory = loggerFactory;

            // First, so that a sealed folder is only ever read by verifying and unsealing it.
            options.Repository.Sources.Insert(0, new SealedModelSource(owner, keyRing, loggerFactory.CreateLogger<SealedModelSource>()));
            // With a way to verify sealed models, a plaintext version could be the host's model in place of the owner's.
            options.Repository.RequireSealed = owner is not null;
            options.Repository.AllowPlaintext.UnionWith(parse.GetValue(allowPlaintext) ?? []);

            ServingServer server;
            try
            {
                server = await ServingServer.StartAsync(options, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.UsageError;
            }
            catch (ModelLoadException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.Failure;
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"Cannot open the listeners on {options.Host}: {ex.Message}");
                return ExitCodes.Failure;
            }

            await using (server)
            {
                if (parse.GetValue(json))
                {
                    var models = server.Repository.ModelNames.Select(n => new { name = n, versions = server.Repository.GetStatus(n).Where(s => s.State == ModelVersionState.Available).Select(s => s.Version) });
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new { grpc_port = server.GrpcPort, rest_port = server.RestPort, models }));
                    await Console.Out.FlushAsync(CancellationToken.None);
                }

                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }

                await server.StopAsync(CancellationToken.None);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static IReadOnlyList<ModelConfig> ReadModels(string? configFile, string? modelName, string? basePath)
    {
        if (configFile is not null)
        {
            if (basePath is not null || modelName is not null)
            {
                throw new ConfigFileException("Give either --model_config_file or --model_name/--model_base_path, not both.");
            }

            return ModelConfigFile.Load(configFile);
        }

        if (basePath is null)
        {
            throw new ConfigFileException("No model to serve: pass --model_base_path DIR (and --model_name NAME), or --model_config_file FILE.");
        }

        return [new ModelConfig { Name = modelName ?? "default", BasePath = Path.GetFullPath(basePath) }];
    }
}
