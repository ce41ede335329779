using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mantle.Attestation;
using Mantle.Attestation.Providers;
using Mantle.Cli.CommandLine;
using Mantle.Cli.Commands.Attestation;
using Mantle.Sealing.Keys;
using Mantle.Serving.Batching;
using Mantle.Serving.Confidential;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tls;
using Microsoft.Extensions.Logging;

namespace Mantle.Cli.Commands.Serving;

/// <summary>
/// <c>mantle serve</c>: the inference server, with TF Serving's flag names. Plaintext (<c>--plaintext</c>), TLS from files
/// or RA-TLS, or the confidential start with <c>--broker</c> (attest, receive the model keys and a certificate, unseal,
/// then listen).
/// </summary>
internal static class ServeCommand
{
    public const string NoTransportChosen =
        "Choose how clients reach the server: --broker URL (the confidential start: keys and a TLS certificate from the key broker), "
        + "--tls ra-tls|static, or --plaintext (no TLS; loopback or a trusted network only).";

    public static Command Create()
    {
        var options = new ServeOptions();
        var command = new Command("serve", "Serve ONNX models, plaintext or sealed, over the TF Serving and KServe v2 REST and gRPC APIs; with --broker, attest to the key broker first and serve over TLS.");
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, ServeOptions o, CancellationToken cancellationToken)
    {
        if (CheckTransport(parse, o) is { } problem)
        {
            throw new UsageException(problem);
        }

        // A start does blocking work on the pool (building the web applications, reading sealed files ahead, ONNX Runtime
        // sessions); with only one thread per core, the broker's replies would queue behind it for want of a thread.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 8), completionPorts);
        if (parse.GetValue(o.Broker) is not null)
        {
            return await RunConfidentialAsync(parse, o, cancellationToken);
        }

        using var loggerFactory = CreateLoggerFactory();
        var serving = CreateServingOptions(parse, o);
        var owner = parse.GetValue(o.OwnerKey) is { } ownerKeyPath ? OwnerPublicKey.Load(ownerKeyPath) : null;
        ModelKeyRing keyRing;
        try
        {
            keyRing = ModelKeyRing.Load(parse.GetValue(o.KeyFiles) ?? []);
        }
        catch
        {
            owner?.Dispose();
            throw;
        }

        using var ownerScope = owner;
        using var keyRingScope = keyRing;
        serving.LoggerFactory = loggerFactory;
        return await RunDirectAsync(parse, o, serving, owner, keyRing, loggerFactory, cancellationToken);
    }

    /// <summary>The combinations of transport options that make sense; null when they do, else what to change.</summary>
    private static string? CheckTransport(ParseResult parse, ServeOptions o)
    {
        var broker = parse.GetValue(o.Broker) is not null;
        var tls = parse.GetValue(o.Tls);
        var plaintext = parse.GetValue(o.Plaintext);
        var tee = parse.GetValue(o.Tee);
        return (broker, tls, plaintext) switch
        {
            (false, null, false) => NoTransportChosen,
            (_, not null, true) => $"--plaintext and --tls {tls} contradict each other; choose one.",
            (false, "broker-ca", _) => "--tls broker-ca needs --broker URL: the certificate comes from the key broker's CA.",
            (true, _, _) when tee is null => "--broker needs --tee sim|sgx|tdx|snp: the evidence that the broker checks comes from this machine's TEE.",
            (true, _, _) when parse.GetValue(o.OwnerKey) is null => "--broker needs --owner-key FILE.pub: every sealed model is checked against the owner's signature before its key is asked for.",
            (true, _, _) when parse.GetValue(o.KeyFiles) is { Length: > 0 } => "--key-file is not used with --broker: the model keys come from the key broker.",
            (_, "ra-tls", _) when tee is null => "--tls ra-tls needs --tee sim|sgx|tdx|snp: the certificate carries this machine's evidence.",
            (_, "static", _) when parse.GetValue(o.TlsCert) is null || parse.GetValue(o.TlsKey) is null => "--tls static needs --tls-cert FILE and --tls-key FILE (or a sealed key folder).",
            (_, _, true) when parse.GetValue(o.ClientCa) is not null => "--client-ca needs TLS: drop --plaintext and choose --broker or --tls.",
            _ => null,
        };
    }

    private static ServingServerOptions CreateServingOptions(ParseResult parse, ServeOptions o)
    {
        var options = new ServingServerOptions
        {
            Host = parse.GetValue(o.Host)!,
            GrpcPort = parse.GetValue(o.Port),
            RestPort = parse.GetValue(o.RestPort),
            PollInterval = TimeSpan.FromSeconds(parse.GetValue(o.Poll)),
            MaxGrpcMessageBytes = parse.GetValue(o.MaxMessage),
            MaxRestRequestBodyBytes = parse.GetValue(o.MaxBody),
        };
        options.Repository.Onnx.IntraOpThreads = parse.GetValue(o.IntraOp);
        options.Repository.Onnx.InterOpThreads = parse.GetValue(o.InterOp);
        options.Repository.Onnx.ParallelExecution = parse.GetValue(o.InterOp) > 0;
        // With a way to verify sealed models, a plaintext version could be the host's model in place of the owner's.
        options.Repository.RequireSealed = parse.GetValue(o.OwnerKey) is not null;
        options.Repository.AllowPlaintext.UnionWith(parse.GetValue(o.AllowPlaintext) ?? []);
        options.ModelConfigFile = parse.GetValue(o.ConfigFile) is { } path ? Path.GetFullPath(path) : null;
        foreach (var model in ReadModels(parse.GetValue(o.ConfigFile), parse.GetValue(o.ModelName), parse.GetValue(o.ModelBasePath)))
        {
            options.Models.Add(model);
        }

        var batchingPath = parse.GetValue(o.BatchingFile);
        if (parse.GetValue(o.EnableBatching))
        {
            options.Repository.Batching = batchingPath is null ? new BatchingOptions() : BatchingParametersFile.Load(batchingPath);
        }
        else if (batchingPath is not null)
        {
            throw new UsageException("--batching_parameters_file needs --enable_batching.");
        }

        return options;
    }

    /// <summary>Without a broker: plaintext, or TLS from files or RA-TLS; sealed models with key files.</summary>
    private static async Task<int> RunDirectAsync(
        ParseResult parse, ServeOptions o, ServingServerOptions serving, OwnerPublicKey? owner, ModelKeyRing keyRing, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        // First, so that a sealed folder is only ever read by verifying and unsealing it.
        serving.Repository.Sources.Insert(0, new SealedModelSource(owner, keyRing, loggerFactory.CreateLogger<SealedModelSource>()));
        using var evidence = parse.GetValue(o.Tee) is { } tee ? OpenTee(parse, o, tee) : null;
        IServerCertificateSource? certificates;
        try
        {
            certificates = parse.GetValue(o.Tls) switch
            {
                "ra-tls" => await ServerCertificates.StartRaTlsAsync(evidence!, TlsNames(parse, o), TimeSpan.FromHours(1), loggerFactory.CreateLogger<RenewingCertificateSource>(), cancellationToken),
                "static" => new FixedCertificateSource(await ServerCertificates.LoadStaticAsync(parse.GetValue(o.TlsCert)!, parse.GetValue(o.TlsKey)!, owner, keyRing, cancellationToken)),
                _ => null,
            };
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException(CliErrorCodes.InvalidFile, "no TLS certificate: " + ex.Message, ex);
        }

        try
        {
            if (certificates is not null)
            {
                serving.Tls = new ServingTlsOptions { Certificates = certificates, ClientCertificateAuthorities = LoadClientCas(parse, o) };
            }

            ServingServer server;
            try
            {
                server = await ServingServer.StartAsync(serving, cancellationToken);
            }
            catch (IOException ex)
            {
                throw CannotListen(ex, serving);
            }

            await using (server)
            {
                await ServeUntilStoppedAsync(parse, o, server, certificates?.Mode, null, cancellationToken);
            }

            return ExitCodes.Success;
        }
        finally
        {
            switch (certificates)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>With a broker: attest, receive keys and a certificate, unseal, then listen.</summary>
    private static async Task<int> RunConfidentialAsync(ParseResult parse, ServeOptions o, CancellationToken cancellationToken)
    {
        var brokerUrl = new Uri(parse.GetValue(o.Broker)!);
        var brokerCa = parse.GetValue(o.BrokerCa) is { } caPath ? OptionFiles.ReadAllText(caPath, "--broker-ca") : null;
        CommandScope.TalkingTo(brokerUrl, "the broker");

        // Attestation waits on the broker, so it starts first: the session (its TEE key, its connection) is made while
        // the TEE is opened (for the simulated TEE, the program is measured), the broker's nonce is asked for before the
        // evidence is needed, and the owner key, the models and the TLS settings are read while the broker checks the
        // evidence. A bad option still fails the command; the attestation under way is then dropped.
        var tee = parse.GetValue(o.Tee)!;
        var opening = Task.Run(() => OpenTee(parse, o, tee), CancellationToken.None);
        using var loggerFactory = CreateLoggerFactory();
        var brokerOptions = new BrokerSessionOptions { BrokerUrl = brokerUrl, BrokerCaPem = brokerCa, RetryFor = TimeSpan.FromSeconds(parse.GetValue(o.BrokerTimeout)) };
        var session = new BrokerSession(brokerOptions, new OpeningEvidenceProvider(TeeTypeNames.Parse(tee), opening), loggerFactory.CreateLogger<BrokerSession>());
        TeeEvidenceProvider? evidence = null;
        ConfidentialServingOptions options;
        ServingServerOptions serving;
        OwnerPublicKey? owner = null;
        try
        {
            session.BeginAttestation();
            evidence = await opening;
            serving = CreateServingOptions(parse, o);
            serving.LoggerFactory = loggerFactory;
            owner = OwnerPublicKey.Load(parse.GetValue(o.OwnerKey)!);
            options = new ConfidentialServingOptions
            {
                Broker = brokerOptions,
                Evidence = evidence,
                OwnerKey = owner,
                Tls = parse.GetValue(o.Plaintext) ? null : parse.GetValue(o.Tls) switch
                {
                    "ra-tls" => ServerTlsMode.RaTls,
                    "static" => ServerTlsMode.Static,
                    _ => ServerTlsMode.BrokerCa,
                },
                DnsNames = TlsNames(parse, o),
                CertificatePath = parse.GetValue(o.TlsCert),
                KeyPath = parse.GetValue(o.TlsKey),
                ClientCertificateAuthorities = LoadClientCas(parse, o),
                KeyCheckInterval = TimeSpan.FromSeconds(parse.GetValue(o.KeyCheck)),
            };
        }
        catch
        {
            owner?.Dispose();
            session.Dispose();
            evidence?.Dispose();
            throw;
        }

        using var evidenceScope = evidence;
        using var ownerScope = owner;
        ConfidentialServer confidential;
        try
        {
            confidential = await ConfidentialServer.StartAsync(serving, options, session, cancellationToken);
        }
        catch (IOException ex)
        {
            throw CannotListen(ex, serving);
        }

        await using (confidential)
        {
            await ServeUntilStoppedAsync(parse, o, confidential.Server, confidential.Certificates?.Mode, confidential, cancellationToken);
        }

        return ExitCodes.Success;
    }

    private static async Task ServeUntilStoppedAsync(ParseResult parse, ServeOptions o, ServingServer server, string? tlsMode, ConfidentialServer? confidential, CancellationToken cancellationToken)
    {
        if (parse.GetValue(o.Json))
        {
            await Console.Out.WriteLineAsync(StartedJson(server, tlsMode, confidential));
            await Console.Out.FlushAsync(CancellationToken.None);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        if (confidential is not null)
        {
            await confidential.StopAsync(CancellationToken.None);
        }
        else
        {
            await server.StopAsync(CancellationToken.None);
        }
    }

    private static string StartedJson(ServingServer server, string? tlsMode, ConfidentialServer? confidential)
    {
        var models = server.Repository.ModelNames.Select(n => new
        {
            name = n,
            versions = server.Repository.GetStatus(n).Where(s => s.State == ModelVersionState.Available).Select(s => s.Version),
        });
        var claims = confidential?.Claims;
        var timings = confidential?.Timings;
        return JsonSerializer.Serialize(new
        {
            grpc_port = server.GrpcPort,
            rest_port = server.RestPort,
            tls = tlsMode,
            models,
            attestation = claims is null ? null : new { tee = claims.Tee.ToName(), measurement = claims.Measurement, tcb_status = claims.TcbStatus },
            start_ms = timings is null ? null : new
            {
                attestation = Math.Round(timings.Attestation.TotalMilliseconds, 1),
                key_release = Math.Round(timings.KeyRelease.TotalMilliseconds, 1),
                keys_released = timings.KeysReleased,
                unseal = Math.Round(timings.Unseal.TotalMilliseconds, 1),
                unsealed_bytes = timings.UnsealedBytes,
                ready = Math.Round(timings.ToReady.TotalMilliseconds, 1),
            },
        });
    }

    private static CliException CannotListen(IOException ex, ServingServerOptions serving) =>
        new(CliErrorCodes.Failure, $"Cannot open the listeners on {serving.Host}: {ex.Message}", ex);

    private static TeeEvidenceProvider OpenTee(ParseResult parse, ServeOptions o, string tee) =>
        TeeEvidenceProvider.Open(new TeeEvidenceProviderOptions
        {
            Tee = TeeTypeNames.Parse(tee),
            DeviceRoot = parse.GetValue(o.TeeDeviceRoot),
            SimKeyPath = parse.GetValue(o.SimKey),
        });

    private static string[] TlsNames(ParseResult parse, ServeOptions o) =>
        parse.GetValue(o.TlsNames) is { Length: > 0 } names ? names : ["localhost"];

    private static X509Certificate2Collection? LoadClientCas(ParseResult parse, ServeOptions o)
    {
        if (parse.GetValue(o.ClientCa) is not { } path)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new CliException(new CliError(CliErrorCodes.InvalidFile, $"Cannot read the client CA --client-ca {path}: {ex.Message}") { Option = "--client-ca", Path = path }, ex);
        }

        return collection.Count > 0
            ? collection
            : throw new CliException(new CliError(CliErrorCodes.InvalidFile, $"--client-ca {path} holds no PEM certificate.") { Option = "--client-ca", Path = path });
    }

    private static ILoggerFactory CreateLoggerFactory() => LoggerFactory.Create(b => b
        .AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss ";
        })
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning)
        .AddFilter("Polly", LogLevel.Warning));

    private static IReadOnlyList<ModelConfig> ReadModels(string? configFile, string? modelName, string? basePath)
    {
        if (configFile is not null)
        {
            if (basePath is not null || modelName is not null)
            {
                throw new UsageException("Give either --model_config_file or --model_name/--model_base_path, not both.");
            }

            return ModelConfigFile.Load(configFile);
        }

        if (basePath is null)
        {
            throw new UsageException("No model to serve: pass --model_base_path DIR (and --model_name NAME), or --model_config_file FILE.");
        }

        return [new ModelConfig { Name = modelName ?? "default", BasePath = Path.GetFullPath(basePath) }];
    }
}
