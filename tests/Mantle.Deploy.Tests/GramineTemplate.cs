using System.Text.RegularExpressions;

namespace Mantle.Deploy.Tests;

/// <summary>deploy/gramine/mantle.manifest.template rendered the way gramine-manifest would with the documented values.</summary>
internal static partial class GramineTemplate
{
    /// <summary>The values the deployment guide passes with -D; the others take the template's defaults.</summary>
    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal)
    {
        ["broker_url"] = "https://mantle-broker:8443",
        ["tls_name"] = "mantle-server",
        ["arch_libdir"] = "/lib/x86_64-linux-gnu",
    };

    public static string Text => File.ReadAllText(Path.Combine(Processes.DeployFolder, "gramine", "mantle.manifest.template"));

    /// <summary>The template with every {{ variable }} and {{ variable | default('x') }} replaced (Gramine's own helpers left).</summary>
    public static string Rendered => Variable().Replace(Text, m =>
        Values.TryGetValue(m.Groups["name"].Value, out var value) ? value
        : m.Groups["default"].Success ? m.Groups["default"].Value
        : m.Value);

    /// <summary>loader.argv without argv[0]: the mantle arguments the enclave runs with.</summary>
    public static IReadOnlyList<string> Arguments
    {
        get
        {
            var argv = Argv().Match(Rendered);
            Assert.True(argv.Success, "the template has no loader.argv");
            return Quoted().Matches(argv.Groups[1].Value).Select(m => m.Groups[1].Value).Skip(1).ToList();
        }
    }

    /// <summary>The in-enclave paths of fs.mounts.</summary>
    public static IReadOnlyList<string> MountPaths => MountPath().Matches(Rendered).Select(m => m.Groups[1].Value).ToList();

    /// <summary>The URIs listed under a manifest key such as sgx.trusted_files.</summary>
    public static IReadOnlyList<string> List(string key)
    {
        var list = new Regex(Regex.Escape(key) + @"\s*=\s*\[(.*?)\]", RegexOptions.Singleline).Match(Rendered);
        Assert.True(list.Success, $"the template has no {key}");
        return Quoted().Matches(list.Groups[1].Value).Select(m => m.Groups[1].Value).ToList();
    }

    /// <summary>A scalar setting (quotes removed), or null.</summary>
    public static string? Setting(string key)
    {
        var line = new Regex("^" + Regex.Escape(key) + @"\s*=\s*(.+)$", RegexOptions.Multiline).Match(Rendered);
        return line.Success ? line.Groups[1].Value.Trim().Trim('"') : null;
    }

    [GeneratedRegex(@"\{\{\s*(?<name>[a-z_]+)\s*(\|\s*default\('(?<default>[^']*)'\)\s*)?\}\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^loader\.argv\s*=\s*\[(.*?)\]", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Argv();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();

    [GeneratedRegex("path = \"([^\"]+)\"")]
    private static partial Regex MountPath();
}
