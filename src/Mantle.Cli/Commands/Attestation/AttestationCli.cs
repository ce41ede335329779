using System.Globalization;
using System.Text.Json;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary>Shared pieces of the attestation commands: building verifiers, parsing inputs, printing results.</summary>
internal static class AttestationCli
{
    /// <summary>Human-readable output goes to stderr; stdout is kept for <c>--json</c>.</summary>
    public static IAnsiConsole Human { get; } = CreateHumanConsole();

    /// <summary>
    /// Builds the dispatcher over every verifier this build knows. Each TEE's verifier is created with its
    /// collateral only when evidence of that TEE shows up, so collateral for one TEE never trips another.
    /// </summary>
    public static EvidenceVerifier CreateVerifier(VerifierSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return EvidenceVerifiers.Create(new EvidenceVerifierOptions
        {
            SimKeyPath = settings.SimKey,
            CollateralPath = settings.Collateral,
            RootsDirectory = settings.Roots,
            TimeProvider = settings.Time,
            RequireCollateral = settings.RequireCollateral,
            CreateOnFirstUse = true,
        });
    }

    /// <summary>The verification clock: <c>--at</c> when given, otherwise now.</summary>
    public static TimeProvider ParseTime(string? at)
    {
        if (at is null)
        {
            return TimeProvider.System;
        }

        return DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? new FixedTimeProvider(instant)
            : throw new UsageException($"--at '{at}' is not an ISO-8601 time such as 2025-06-20T00:00:00Z.");
    }

    /// <summary>The policy from <c>--policy</c>, or from <c>--signed-policy</c> checked with <c>--auditor-key</c>, or null.</summary>
    public static AttestationPolicy? LoadPolicy(string? policy, string? signedPolicy, string? auditorKey)
    {
        if (policy is not null && signedPolicy is not null)
        {
            throw new UsageException("Give either --policy or --signed-policy, not both.");
        }

        if (signedPolicy is not null)
        {
            if (auditorKey is null)
            {
                throw new UsageException("--signed-policy needs --auditor-key (the auditor's public key PEM).");
            }

            var token = OptionFiles.ReadAllText(signedPolicy, "--signed-policy");
            var pem = OptionFiles.ReadAllText(auditorKey, "--auditor-key");
            return SignedPolicy.Verify(token, pem);
        }

        return policy is null ? null : AttestationPolicy.Load(policy);
    }

    /// <summary>Writes <c>{"verified": true, "tee", "tcb_status", "claims", "policy", …, "error": null}</c> to stdout.</summary>
    public static void WriteJson(AttestationClaims? claims, PolicyDecision? decision, Action<Utf8JsonWriter>? extra = null)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            WriteFields(json, verified: true, claims, decision, extra);
            json.WriteNull("error");
            json.WriteEndObject();
        }

        stdout.Write("\n"u8);
    }

    /// <summary>
    /// A refusal whose <c>--json</c> document still shows what was learnt: <c>"verified": false</c>, the claims and the
    /// policy's failures, then the error.
    /// </summary>
    public static CliException Refusal(CliError error, AttestationClaims? claims, PolicyDecision? decision, Action<Utf8JsonWriter>? extra = null) =>
        new(error) { JsonFields = json => WriteFields(json, verified: false, claims, decision, extra) };

    /// <summary>Runs a verification; evidence it refuses becomes a <see cref="Refusal"/>, so that <c>--json</c> still prints <c>"verified": false</c>.</summary>
    public static async Task<T> VerifyAsync<T>(Func<ValueTask<T>> verify)
    {
        try
        {
            return await verify().ConfigureAwait(false);
        }
        catch (AttestationException ex)
        {
            throw Refusal(CliErrors.From(ex), null, null);
        }
    }

    private static void WriteFields(Utf8JsonWriter json, bool verified, AttestationClaims? claims, PolicyDecision? decision, Action<Utf8JsonWriter>? extra)
    {
        json.WriteBoolean("verified", verified);
        WriteStringOrNull(json, "tee", claims?.Tee.ToName());
        WriteStringOrNull(json, "tcb_status", claims?.TcbStatus);
        if (claims is null)
        {
            json.WriteNull("claims");
        }
        else
        {
            json.WriteStartObject("claims");
            foreach (var (name, value) in claims.ToDictionary())
            {
                WriteValue(json, name, value);
            }

            json.WriteEndObject();
        }

        if (decision is not null)
        {
            json.WriteStartObject("policy");
            json.WriteBoolean("allowed", decision.Allowed);
            json.WriteStartArray("failures");
            foreach (var failure in decision.Failures)
            {
                json.WriteStartObject();
                json.WriteString("claim", failure.Claim);
                json.WriteString("expected", failure.Expected);
                json.WriteString("actual", failure.Actual);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        extra?.Invoke(json);
    }

    /// <summary>Prints the claims as a table on stderr.</summary>
    public static void WriteClaims(string title, AttestationClaims claims)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumn("claim").AddColumn("value");
        foreach (var (name, value) in claims.ToDictionary())
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(Format(value)));
        }

        Human.Write(table);
        if (claims.Tee == TeeType.Sim)
        {
            Human.MarkupLine("[yellow]sim evidence comes from the simulated TEE and gives no security.[/]");
        }
    }

    private static IAnsiConsole CreateHumanConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected)
        {
            // Logs and pipes: do not wrap at a guessed 80 columns.
            console.Profile.Width = 240;
        }

        return console;
    }

    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        string[] list => list.Length == 0 ? "(none)" : string.Join(", ", list),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static void WriteValue(Utf8JsonWriter json, string name, object value)
    {
        switch (value)
        {
            case bool b:
                json.WriteBoolean(name, b);
                break;
            case long l:
                json.WriteNumber(name, l);
                break;
            case int i:
                json.WriteNumber(name, i);
                break;
            case IEnumerable<string> list:
                json.WriteStartArray(name);
                foreach (var item in list)
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteString(name, Format(value));
                break;
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private sealed class FixedTimeProvider(DateTimeOffset instant) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => instant;
    }
}
