using System.Globalization;
using System.Text.Json;
using Mantle.Client.Load;
using Spectre.Console;

namespace Mantle.Cli.Commands.Demo;

/// <summary>The demo's summary: a table for people, one JSON document for scripts, and how to call the running services.</summary>
internal static class DemoReport
{
    public static void Write(IAnsiConsole console, DemoResult result)
    {
        var steps = new Table().Border(TableBorder.Rounded).Title("[bold]Mantle demo[/]").AddColumn("step").AddColumn(new TableColumn("time").RightAligned());
        foreach (var (step, elapsed) in result.Steps)
        {
            steps.AddRow(Markup.Escape(step), Ms(elapsed.TotalMilliseconds));
        }

        steps.AddRow("[bold]total[/]", $"[bold]{Ms(result.Total.TotalMilliseconds)}[/]");
        console.Write(steps);

        var facts = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("what").AddColumn("value");
        facts.AddRow("model", $"ResNet-18, {result.ModelBytes / 1e6:0.0} MB, sealed at {result.SealMegabytesPerSecond:0} MB/s, model key {result.KeyId}");
        facts.AddRow("measurement (sim)", result.Measurement ?? "");
        if (result.ServerStart is { } start)
        {
            facts.AddRow("attestation", Ms(start.AttestationMs));
            facts.AddRow("key release", Ms(start.KeyReleaseMs));
            facts.AddRow("unseal", $"{start.UnsealedBytes / 1e6:0.0} MB at {start.UnsealMegabytesPerSecond:0} MB/s");
            facts.AddRow("server time to ready", Ms(start.ReadyMs));
        }

        if (result.Verified is { } verified)
        {
            facts.AddRow("server verified", Markup.Escape(
                $"{verified.Tee?.ToString().ToLowerInvariant()} measurement {Short(verified.Measurement)}, TCB {verified.TcbStatus}, certificate from {verified.Issuer} for {string.Join(", ", verified.SubjectAlternativeNames)}, expires {verified.NotAfter:u}, {verified.TlsProtocol} {verified.ApplicationProtocol}"));
        }

        if (result.Classes is { } classes)
        {
            facts.AddRow("classify sample.png", Markup.Escape(string.Join(", ", classes.Select(c => $"#{c.Index} {c.Score:0.000}"))));
        }

        AddLoad(facts, "gRPC (TF Serving Predict)", result.Grpc);
        AddLoad(facts, "REST (KServe v2, binary)", result.Rest);
        console.Write(facts);
    }

    public static string Json(DemoResult result) => JsonSerializer.Serialize(new
    {
        work_folder = result.WorkFolder,
        total_ms = Round(result.Total.TotalMilliseconds),
        steps = result.Steps.Select(s => new { step = s.Step, ms = Round(s.Elapsed.TotalMilliseconds) }),
        measurement = result.Measurement,
        model = new { bytes = result.ModelBytes, key_id = result.KeyId, seal_mb_per_s = Round(result.SealMegabytesPerSecond) },
        server = result.ServerStart is not { } start ? null : new
        {
            attestation_ms = start.AttestationMs,
            key_release_ms = start.KeyReleaseMs,
            unseal_ms = start.UnsealMs,
            unseal_mb_per_s = Round(start.UnsealMegabytesPerSecond),
            ready_ms = start.ReadyMs,
        },
        verified = result.Verified is not { } verified ? null : new
        {
            tee = verified.Tee?.ToString().ToLowerInvariant(),
            measurement = verified.Measurement,
            tcb_status = verified.TcbStatus,
            issuer = verified.Issuer,
            not_after = verified.NotAfter,
        },
        classes = result.Classes?.Select(c => new { index = c.Index, score = c.Score }),
        bench = new { grpc = Load(result.Grpc), rest = Load(result.Rest) },
    });

    public static void WriteHowToCall(IAnsiConsole console, DemoRun run)
    {
        var r = run.Result;
        var tls = $"--cacert {run.BrokerCa} --cert {run.ClientCertificate} --key {run.ClientKey}";
        var mantleTls = $"--ca {run.BrokerCa} --cert {run.ClientCertificate} --key {run.ClientKey}";
        console.MarkupLine("");
        console.MarkupLine("[bold]The broker and the server keep running until Ctrl+C.[/] Call the server (it requires the client certificate):");
        // Plain lines, never wrapped, so that they can be copied into a shell.
        var lines = new[]
        {
            $"curl {tls} https://localhost:{r.RestPort}/v2/models/resnet18",
            $"curl {tls} https://localhost:{r.RestPort}/v1/models/resnet18",
            $"mantle verify --url localhost:{r.GrpcPort} {mantleTls}",
            $"mantle infer --url localhost:{r.GrpcPort} --model resnet18 --protocol tfs-grpc {mantleTls}",
            $"mantle classify --url localhost:{r.GrpcPort} --model resnet18 --image {r.ClassifiedImage} {mantleTls}",
            $"grpcurl -cacert {run.BrokerCa} -cert {run.ClientCertificate} -key {run.ClientKey} localhost:{r.GrpcPort} inference.GRPCInferenceService/ServerReady",
            $"# broker: {r.BrokerUrl}, admin credential {Path.Combine(r.WorkFolder, "broker", "admin.credential")}",
        };
        foreach (var line in lines)
        {
            Console.Error.WriteLine("  " + line);
        }
    }

    private static void AddLoad(Table table, string name, LoadResult? load)
    {
        if (load is not null)
        {
            table.AddRow(name, FormattableString.Invariant(
                $"{load.Throughput:0.0} requests/s, p50 {load.Latency.P50:0.0} ms, p99 {load.Latency.P99:0.0} ms ({load.Requests} requests, 2 at a time, TLS + client certificate)"));
        }
    }

    private static object? Load(LoadResult? load) => load is null ? null : new
    {
        requests = load.Requests,
        errors = load.Errors,
        throughput = Round(load.Throughput),
        latency_ms = new { p50 = Round(load.Latency.P50), p99 = Round(load.Latency.P99) },
    };

    private static string Ms(double milliseconds) => milliseconds.ToString("#,0", CultureInfo.InvariantCulture) + " ms";

    private static double Round(double value) => Math.Round(value, 1);

    private static string Short(string? hex) => hex is null ? "" : hex.Length > 16 ? hex[..16] + "…" : hex;
}
