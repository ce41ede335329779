using System.Globalization;

namespace Mantle.Testing;

/// <summary>Runs the real <c>mantle</c> command (<c>mantle.dll</c> that the build puts beside the tests) as a child process.</summary>
public static class MantleProcess
{
    /// <summary>The path of <c>mantle.dll</c> in the test output folder.</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "mantle.dll");

    /// <summary>Starts <c>dotnet mantle.dll</c> with the arguments.</summary>
    public static ChildProcess Start(params string[] args) => Start(new ChildProcessOptions(), args);

    /// <summary>Starts <c>dotnet mantle.dll</c> with the arguments, the working folder and the environment of <paramref name="options"/>.</summary>
    public static ChildProcess Start(ChildProcessOptions options, params string[] args) =>
        ChildProcess.Start("dotnet", [DllPath, .. args], Named(options));

    /// <summary>Runs <c>dotnet mantle.dll</c> to completion (at most <see cref="ChildProcess.DefaultTimeout"/>).</summary>
    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(new ChildProcessOptions(), args);

    /// <summary>Runs <c>dotnet mantle.dll</c> to completion with the working folder, environment and timeout of <paramref name="options"/>.</summary>
    public static Task<ProcessResult> RunAsync(ChildProcessOptions options, params string[] args) =>
        ChildProcess.RunAsync("dotnet", [DllPath, .. args], Named(options));

    /// <summary>
    /// Runs <c>dotnet mantle.dll</c> to completion (at most 60 s) as a user at a terminal would, with its own
    /// configuration folder (<c>XDG_CONFIG_HOME</c>, where the simulated platform key lands), no colours and a wide
    /// terminal, plus <paramref name="environment"/>.
    /// </summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsUserAsync(
        string configHome, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["XDG_CONFIG_HOME"] = configHome,
            ["NO_COLOR"] = "1",
            ["COLUMNS"] = "200",
        };
        var result = await RunAsync(new ChildProcessOptions { Environment = variables, Timeout = TimeSpan.FromSeconds(60) }, args).ConfigureAwait(false);
        return (result.ExitCode, result.Stdout, result.Stderr);
    }

    /// <summary>Starts <c>mantle serve --plaintext</c> for one model on free loopback ports and waits until both listeners are up.</summary>
    public static async Task<(ChildProcess Server, int GrpcPort, int RestPort)> StartServingAsync(string model, string basePath)
    {
        var server = Start(
            new ChildProcessOptions { RedirectStandardInput = true },
            "serve", "--plaintext", "--model_name", model, "--model_base_path", basePath, "--port", "0", "--rest_api_port", "0");
        try
        {
            var grpc = await server.WaitForOutputAsync(@"Serving gRPC.* on http://127\.0\.0\.1:(\d+)/", TimeSpan.FromSeconds(90));
            var rest = await server.WaitForOutputAsync(@"Serving REST.* on http://127\.0\.0\.1:(\d+)/", TimeSpan.FromSeconds(90));
            return (server, Port(grpc.Groups[1].Value), Port(rest.Groups[1].Value));
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private static int Port(string digits) => int.Parse(digits, CultureInfo.InvariantCulture);

    private static ChildProcessOptions Named(ChildProcessOptions options) =>
        options.Name is not null
            ? options
            : new ChildProcessOptions
            {
                WorkingDirectory = options.WorkingDirectory,
                Environment = options.Environment,
                RedirectStandardInput = options.RedirectStandardInput,
                Timeout = options.Timeout,
                Name = "mantle",
            };
}
