using System.CommandLine;
using System.Text.Json;
using Mantle.Cli.CommandLine;
using Mantle.Client.Inference;
using Mantle.Client.Load;
using Mantle.Client.Tensors;
using Spectre.Console;

namespace Mantle.Cli.Commands.Client;

/// <summary>
/// <c>mantle bench</c>: a closed-loop load like the reference TF Serving client (<c>-batch</c>, <c>-cnum</c>,
/// <c>-loop</c>): each of N concurrent workers sends <c>loop</c> requests of random data one after another.
/// With <c>--in-process</c> the same load runs on ONNX Runtime in this process: the baseline.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = ServerAddress.UrlDescription, DefaultValueFactory = _ => "127.0.0.1" }.ServerAddress();
        var model = new Option<string?>("--model", "--model_name") { Description = "The model name." };
        var protocol = new Option<string>("--protocol") { Description = $"The API to load: {ServerAddress.ProtocolNames}.", DefaultValueFactory = _ => "tfs-grpc" };
        var batch = new Option<int>("--batch") { Description = "Items per request: the size of the first dynamic dimension.", DefaultValueFactory = _ => 1 }.Range(1, int.MaxValue);
        var concurrency = new Option<int>("--concurrency", "--cnum") { Description = "Concurrent workers.", DefaultValueFactory = _ => 1 }.Range(1, 10_000);
        var loop = new Option<int>("--loop") { Description = "Measured requests per worker.", DefaultValueFactory = _ => 100 }.Range(1, int.MaxValue);
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured requests per worker before the measured ones.", DefaultValueFactory = _ => 10 }.Range(0, int.MaxValue);
        var duration = new Option<double?>("--max-seconds") { Description = "Stop the measured phase after this many seconds even if loops remain." }.Range(0.001, double.MaxValue, "seconds");
        var inProcess = new Option<bool>("--in-process") { Description = "Run the load on ONNX Runtime in this process (the baseline) instead of a server." };
        var basePath = new Option<string?>("--model_base_path") { Description = "With --in-process: the model folder (<version>/model.onnx)." }.InputFolder();
        var threads = new Option<int>("--intra_op_threads") { Description = "With --in-process: ONNX Runtime intra-op threads (0: one per core).", DefaultValueFactory = _ => 0 }.Range(0, 1024);
        var seed = new Option<int>("--seed") { Description = "Seed of the random input data.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on standard output." };

        var command = new Command("bench", "Measure a server's latency and throughput (or ONNX Runtime in-process with --in-process).")
        {
            url, model, protocol, batch, concurrency, loop, warmup, duration, inProcess, basePath, threads, seed, json,
        };
        var trust = new TrustOptions();
        trust.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new LoadOptions
            {
                Concurrency = parse.GetValue(concurrency),
                Loop = parse.GetValue(loop),
                Warmup = parse.GetValue(warmup),
                ItemsPerRequest = parse.GetValue(batch),
                MaxDuration = parse.GetValue(duration) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            };
            var console = StderrConsole.Instance;
            options.Validate();
            var random = new Random(parse.GetValue(seed));
            LoadResult result;
            string target;
            if (parse.GetValue(inProcess))
            {
                var path = parse.GetValue(basePath) ?? throw new ArgumentException("--in-process needs --model_base_path DIR.");
                var name = parse.GetValue(model) ?? Path.GetFileName(Path.GetFullPath(path).TrimEnd('/'));
                using var local = InProcessModel.Load(path, name, parse.GetValue(threads));
                var send = local.Prepare(CreateInputs(local.Description, options.ItemsPerRequest, random));
                target = $"{name} in-process (ONNX Runtime)";
                result = await RunWithProgressAsync(console, (_, ct) => send(ct), options, parse.GetValue(json), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var name = parse.GetValue(model) ?? throw new ArgumentException("--model NAME is required (or --in-process).");
                if (!ServerAddress.TryParseProtocol(parse.GetValue(protocol), out var api))
                {
                    throw new ArgumentException($"--protocol '{parse.GetValue(protocol)}' is not one of {ServerAddress.ProtocolNames}.");
                }

                var uri = trust.Resolve(parse, parse.GetValue(url)!, api);
                CommandScope.TalkingTo(uri, "the server");
                using var client = InferenceClients.Create(api, uri, trust.CreateHandler(parse, uri));
                var description = await client.GetModelAsync(name, cancellationToken).ConfigureAwait(false);
                var send = client.Prepare(name, CreateInputs(description, options.ItemsPerRequest, random));
                target = $"{name} at {uri} ({parse.GetValue(protocol)})";
                result = await RunWithProgressAsync(console, (_, ct) => send(ct), options, parse.GetValue(json), cancellationToken).ConfigureAwait(false);
            }

            Report(console, target, options, result, parse.GetValue(json));
            return result.Errors == 0 ? ExitCodes.Success : ExitCodes.RemoteError;
        });
        return command;
    }

    internal static List<ClientTensor> CreateInputs(ModelDescription description, int batch, Random random)
    {
        try
        {
            return description.Inputs.Select(i => RandomTensors.Create(i.Name, i.DataType, i.Shape, batch, random)).ToList();
        }
        catch (Exception ex) when (ex is OverflowException or OutOfMemoryException)
        {
            throw new CliException(new CliError(CliErrorCodes.Usage,
                $"--batch {batch} makes each request of model '{description.Name}' too large to hold in memory (an input over 2 GiB); choose a smaller --batch.") { Option = "--batch" }, ex);
        }
    }

    private static async Task<LoadResult> RunWithProgressAsync(IAnsiConsole console, Func<int, CancellationToken, Task> send, LoadOptions options, bool quiet, CancellationToken cancellationToken)
    {
        if (quiet || !console.Profile.Capabilities.Interactive)
        {
            return await LoadRunner.RunAsync(send, options, null, cancellationToken).ConfigureAwait(false);
        }

        LoadResult? result = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("requests", maxValue: (double)options.Concurrency * options.Loop);
                var progress = new Progress<long>(done => task.Value = done);
                result = await LoadRunner.RunAsync(send, options, progress, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result!;
    }

    private static void Report(IAnsiConsole console, string target, LoadOptions options, LoadResult result, bool json)
    {
        if (json)
        {
            var document = new
            {
                requests = result.Requests,
                errors = result.Errors,
                throughput = Math.Round(result.Throughput, 2),
                latency_ms = new
                {
                    p50 = Math.Round(result.Latency.P50, 4),
                    p90 = Math.Round(result.Latency.P90, 4),
                    p99 = Math.Round(result.Latency.P99, 4),
                    mean = Math.Round(result.Latency.Mean, 4),
                },
                // This process's CPU time over the measured phase per request: the load client's own cost
                // (with --in-process, the model's cost as well). The window's bounds let a caller charge another
                // process's CPU (the server's) to the same requests.
                client_cpu_ms_per_request = Math.Round(result.CpuMillisecondsPerRequest, 4),
                measured_from_unix_ms = Math.Round(result.MeasuredFrom.ToUnixTimeMilliseconds() + (result.MeasuredFrom.Ticks % TimeSpan.TicksPerMillisecond / (double)TimeSpan.TicksPerMillisecond), 3),
                measured_to_unix_ms = Math.Round(result.MeasuredTo.ToUnixTimeMilliseconds() + (result.MeasuredTo.Ticks % TimeSpan.TicksPerMillisecond / (double)TimeSpan.TicksPerMillisecond), 3),
                first_error = result.FirstError,
            };
            Console.Out.WriteLine(JsonSerializer.Serialize(document));
            ReportErrors(result);
            return;
        }

        var table = new Table().AddColumns("", "value");
        table.Title = new TableTitle(Markup.Escape(target));
        table.AddRow("batch × concurrency × loop", $"{options.ItemsPerRequest} × {options.Concurrency} × {options.Loop}");
        table.AddRow("requests (errors)", $"{result.Requests} ({result.Errors})");
        table.AddRow("elapsed", $"{result.Elapsed.TotalSeconds:F2} s");
        table.AddRow("throughput", $"{result.Throughput:F1} items/s");
        table.AddRow("latency p50 / p90 / p99", $"{result.Latency.P50:F3} / {result.Latency.P90:F3} / {result.Latency.P99:F3} ms");
        table.AddRow("latency mean / max", $"{result.Latency.Mean:F3} / {result.Latency.Max:F3} ms");
        table.AddRow("client CPU per request", $"{result.CpuMillisecondsPerRequest:F3} ms");
        console.Write(table);
        ReportErrors(result);
    }

    /// <summary>Requests that failed make the run fail (exit 4): one error line, as every command writes it, with the first failure.</summary>
    private static void ReportErrors(LoadResult result)
    {
        if (result.Errors > 0)
        {
            var first = result.FirstError is { } text ? $"; the first: {ErrorOutput.OneLine(text)}" : string.Empty;
            Console.Error.WriteLine($"error: {result.Errors} of {result.Requests} requests failed{first}");
        }
    }
}
