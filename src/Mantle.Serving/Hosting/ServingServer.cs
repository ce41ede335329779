using System.Net;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting.Internal;
using Mantle.Serving.Metrics;
using Mantle.Serving.Repository;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Hosting;

/// <summary>
/// A running inference server: a gRPC listener (HTTP/2, TF Serving and KServe gRPC services) and a
/// REST listener (HTTP/1.1, TF Serving and KServe REST, Prometheus metrics) in one process.
/// Each listener is its own ASP.NET Core application, so REST routes exist only on the REST port and
/// gRPC services only on the gRPC port; both share one <see cref="IModelRepository"/> and one
/// <see cref="ServingMetrics"/> (registered as singletons in both). Start with <see cref="StartAsync(ServingServerOptions, CancellationToken)"/>;
/// port 0 binds a free port, read back from <see cref="GrpcPort"/> and <see cref="RestPort"/>.
/// A fault in a handler is answered in the API's own format (REST 500 <c>{"error": …}</c>, gRPC INTERNAL) and
/// logged; a REST path that no endpoint serves gets 404 <c>{"error": …}</c>.
/// </summary>
public sealed class ServingServer : IAsyncDisposable
{
    private readonly WebApplication _grpc;
    private readonly WebApplication _rest;
    private readonly ModelRepository? _ownedRepository;
    private readonly ILoggerFactory? _ownedLoggerFactory;
    private readonly CancellationTokenSource _stopping = new();
    private Task _polling = Task.CompletedTask;
    private int _disposed;

    private ServingServer(WebApplication grpc, WebApplication rest, IModelRepository repository, ServingMetrics metrics, ModelRepository? ownedRepository, ILoggerFactory? ownedLoggerFactory)
    {
        _grpc = grpc;
        _rest = rest;
        Repository = repository;
        Metrics = metrics;
        _ownedRepository = ownedRepository;
        _ownedLoggerFactory = ownedLoggerFactory;
    }

    /// <summary>The bound gRPC port.</summary>
    public int GrpcPort { get; private set; }

    /// <summary>The bound REST port.</summary>
    public int RestPort { get; private set; }

    /// <summary>The gRPC address (<c>http://host:port</c>, or <c>https://</c> with TLS), for a <c>GrpcChannel</c>.</summary>
    public Uri GrpcAddress { get; private set; } = null!;

    /// <summary>The REST address (<c>http://host:port</c>, or <c>https://</c> with TLS), for an <c>HttpClient</c>'s base address.</summary>
    public Uri RestAddress { get; private set; } = null!;

    /// <summary>The models served.</summary>
    public IModelRepository Repository { get; }

    /// <summary>The metrics both listeners record into.</summary>
    public ServingMetrics Metrics { get; }

    /// <summary>
    /// Loads the models of <see cref="ServingServerOptions.Models"/>, then opens both listeners and
    /// starts polling the model folders.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names each key.</exception>
    /// <exception cref="ModelLoadException">A model has no loadable version; the message names the files.</exception>
    public static Task<ServingServer> StartAsync(ServingServerOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, beforeListening: null, cancellationToken);

    /// <summary>As <see cref="StartAsync(ServingServerOptions, CancellationToken)"/>, running <paramref name="beforeListening"/> after the models loaded and before the listeners open (the TLS settings are read before: a certificate source it completes is set in them from the start).</summary>
    internal static async Task<ServingServer> StartAsync(ServingServerOptions options, Func<CancellationToken, Task>? beforeListening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid(options);
        if (options.Models.Count == 0)
        {
            throw new ArgumentException("No model to serve: give model_name and model_base_path, or model_config_file.", nameof(options));
        }

        var loggerFactory = options.LoggerFactory;
        var ownedLoggerFactory = loggerFactory is null ? CreateConsoleLoggerFactory() : null;
        loggerFactory ??= ownedLoggerFactory!;
        var metrics = new ServingMetrics();
        var repositoryOptions = new ModelRepositoryOptions
        {
            Onnx = options.Repository.Onnx,
            Batching = options.Repository.Batching,
            Metrics = options.Repository.Metrics ?? metrics,
            RequireSealed = options.Repository.RequireSealed,
        };
        repositoryOptions.Sources.Clear();
        foreach (var source in options.Repository.Sources)
        {
            repositoryOptions.Sources.Add(source);
        }

        repositoryOptions.AllowPlaintext.UnionWith(options.Repository.AllowPlaintext);

        var repository = new ModelRepository(options.Models, repositoryOptions, loggerFactory.CreateLogger<ModelRepository>());
        // The two applications are built while the models load: neither needs the other, and no port opens before
        // StartCoreAsync. Building reads the TLS settings, so they are set before (a source may still be waiting for its certificate).
        var building = Task.Run(() => BuildApplications(options, repository, metrics, loggerFactory), CancellationToken.None);
        var appsHandedOver = false;
        try
        {
            await repository.LoadAsync(cancellationToken);
            if (beforeListening is not null)
            {
                await beforeListening(cancellationToken);
            }

            var (grpc, rest) = await building;
            appsHandedOver = true;
            var server = await StartCoreAsync(grpc, rest, repository, options, metrics, repository, loggerFactory, ownedLoggerFactory, cancellationToken);
            if (options.PollInterval > TimeSpan.Zero)
            {
                server._polling = server.PollAsync(repository, options, loggerFactory.CreateLogger<ServingServer>());
            }

            return server;
        }
        catch
        {
            // StartCoreAsync disposes the applications it was given when it fails; before that, they are disposed here.
            await ((Task)building).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!appsHandedOver && building.IsCompletedSuccessfully)
            {
                await building.Result.Grpc.DisposeAsync();
                await building.Result.RestApi.DisposeAsync();
            }

            await repository.DisposeAsync();
            ownedLoggerFactory?.Dispose();
            throw;
        }
    }

    /// <summary>Opens both listeners over an existing repository (which the caller keeps owning).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names each key.</exception>
    public static Task<ServingServer> StartAsync(IModelRepository repository, ServingServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid(options);
        var ownedLoggerFactory = options.LoggerFactory is null ? CreateConsoleLoggerFactory() : null;
        var loggerFactory = options.LoggerFactory ?? ownedLoggerFactory!;
        var metrics = new ServingMetrics();
        var (grpc, rest) = BuildApplications(options, repository, metrics, loggerFactory);
        return StartCoreAsync(grpc, rest, repository, options, metrics, null, loggerFactory, ownedLoggerFactory, cancellationToken);
    }

    /// <summary>Completes when the server has stopped (after <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_grpc.WaitForShutdownAsync(cancellationToken), _rest.WaitForShutdownAsync(cancellationToken));

    /// <summary>Stops accepting calls, lets running calls finish, and unloads the models it loaded.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_grpc.StopAsync(cancellationToken), _rest.StopAsync(cancellationToken));
        try
        {
            await _polling;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops the server (if running) and releases everything it owns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync();
        await _grpc.DisposeAsync();
        await _rest.DisposeAsync();
        if (_ownedRepository is not null)
        {
            await _ownedRepository.DisposeAsync();
        }

        _ownedLoggerFactory?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid option.</summary>
    internal static void ThrowIfInvalid(ServingServerOptions options)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid serving options: " + string.Join(" ", problems), nameof(options));
        }
    }

    private static ILoggerFactory CreateConsoleLoggerFactory() => Microsoft.Extensions.Logging.LoggerFactory.Create(b => b
        .AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(c => c.SingleLine = true)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning));

    private static (WebApplication Grpc, WebApplication RestApi) BuildApplications(ServingServerOptions options, IModelRepository repository, ServingMetrics metrics, ILoggerFactory loggerFactory) =>
        (BuildApplication(options, repository, metrics, loggerFactory, isGrpc: true), BuildApplication(options, repository, metrics, loggerFactory, isGrpc: false));

    private static async Task<ServingServer> StartCoreAsync(
        WebApplication grpc,
        WebApplication rest,
        IModelRepository repository,
        ServingServerOptions options,
        ServingMetrics metrics,
        ModelRepository? ownedRepository,
        ILoggerFactory loggerFactory,
        ILoggerFactory? ownedLoggerFactory,
        CancellationToken cancellationToken)
    {
        var server = new ServingServer(grpc, rest, repository, metrics, ownedRepository, ownedLoggerFactory);
        try
        {
            await grpc.StartAsync(cancellationToken);
            await rest.StartAsync(cancellationToken);
        }
        catch
        {
            await grpc.StopAsync(CancellationToken.None);
            await grpc.DisposeAsync();
            await rest.DisposeAsync();
            throw;
        }

        server.GrpcPort = BoundPort(grpc);
        server.RestPort = BoundPort(rest);
        var host = options.Host.Contains(':', StringComparison.Ordinal) ? $"[{options.Host}]" : options.Host;
        var scheme = options.Tls is null ? "http" : "https";
        server.GrpcAddress = new Uri($"{scheme}://{host}:{server.GrpcPort}");
        server.RestAddress = new Uri($"{scheme}://{host}:{server.RestPort}");
        var logger = loggerFactory.CreateLogger<ServingServer>();
        ServingLog.Listening(logger, "gRPC (TF Serving, KServe v2)", server.GrpcAddress);
        ServingLog.Listening(logger, "REST (TF Serving /v1, KServe /v2, metrics)", server.RestAddress);
        if (options.Tls is null)
        {
            ServingLog.Plaintext(logger, server.GrpcAddress);
            ServingLog.Plaintext(logger, server.RestAddress);
        }
        return server;
    }

    private static WebApplication BuildApplication(ServingServerOptions options, IModelRepository repository, ServingMetrics metrics, ILoggerFactory loggerFactory, bool isGrpc)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ServingServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.Services.AddSingleton(repository);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddMantleServing(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = isGrpc ? null : options.MaxRestRequestBodyBytes;
            kestrel.Limits.Http2.MaxStreamsPerConnection = options.Http2MaxStreamsPerConnection;
            kestrel.Limits.Http2.InitialConnectionWindowSize = options.Http2ConnectionWindowBytes;
            kestrel.Limits.Http2.InitialStreamWindowSize = options.Http2StreamWindowBytes;
            // Accept DATA frames up to 1 MiB from clients that send larger ones than HTTP/2's 16 KiB default
            // (fewer frames per tensor). .NET's HttpClient sends 16 KiB frames whatever the server allows.
            kestrel.Limits.Http2.MaxFrameSize = 1024 * 1024 - 1;
            var address = string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(options.Host);
            kestrel.Listen(address, isGrpc ? options.GrpcPort : options.RestPort, listen =>
            {
                if (options.Tls is { } tls)
                {
                    // ALPN offers h2 to gRPC clients and lets REST clients choose HTTP/1.1 or h2.
                    listen.Protocols = isGrpc ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(https => TlsListener.Configure(https, tls));
                }
                else
                {
                    // Without TLS there is no ALPN: HTTP/2 needs prior knowledge (gRPC clients have it), while
                    // REST clients speak HTTP/1.1; Kestrel cannot offer both on one cleartext endpoint.
                    listen.Protocols = isGrpc ? HttpProtocols.Http2 : HttpProtocols.Http1;
                }
            });
        });
        var app = builder.Build();
        if (isGrpc)
        {
            app.MapMantleServingGrpc();
        }
        else
        {
            app.UseMantleServingErrors();
            app.MapMantleServingRest();
        }

        return app;
    }

    private static int BoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First()).Port;
    }

    private async Task PollAsync(ModelRepository repository, ServingServerOptions options, ILogger logger)
    {
        var configFile = options.ModelConfigFile;
        var configWritten = configFile is null ? default : File.GetLastWriteTimeUtc(configFile);
        using var timer = new PeriodicTimer(options.PollInterval);
        while (await timer.WaitForNextTickAsync(_stopping.Token))
        {
            try
            {
                if (configFile is not null && File.GetLastWriteTimeUtc(configFile) is var written && written != configWritten)
                {
                    configWritten = written;
                    await ReloadConfigAsync(repository, configFile, logger);
                }

                await repository.RefreshAsync(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                ServingLog.PollFailed(logger, ex);
            }
        }
    }

    private async Task ReloadConfigAsync(ModelRepository repository, string configFile, ILogger logger)
    {
        try
        {
            var models = ModelConfigFile.Load(configFile);
            await repository.ReconfigureAsync(models, _stopping.Token);
            var names = string.Join(", ", models.Select(m => m.Name));
            ServingLog.ConfigReloaded(logger, configFile, names);
        }
        catch (Exception ex) when (ex is ConfigFileException or ArgumentException)
        {
            ServingLog.ConfigReloadFailed(logger, configFile, ex.Message);
        }
    }
}
