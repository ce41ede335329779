using Mantle.Serving.Repository.Internal;

namespace Mantle.Serving.Repository;

/// <summary>
/// Reads TF Serving's <c>--model_config_file</c>: a text-format <c>ModelServerConfig</c> holding a
/// <c>model_config_list</c> of <c>config { name base_path model_platform model_version_policy version_labels }</c>.
/// Relative base paths are resolved against the current directory, as TF Serving does.
/// </summary>
public static class ModelConfigFile
{
    /// <summary>Reads and parses a config file.</summary>
    /// <exception cref="ConfigFileException">The file cannot be read or is malformed; the message gives file:line:column.</exception>
    public static IReadOnlyList<ModelConfig> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"Cannot read model config file {path}: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses config text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ConfigFileException">The text is malformed; the message gives source:line:column.</exception>
    public static IReadOnlyList<ModelConfig> Parse(string text, string source = "model_config")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var top = TextFormatParser.Parse(text, source);
        var configs = new List<ModelConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in top)
        {
            if (field.Name != "model_config_list")
            {
                throw TextValues.Error(source, field, field.Name == "custom_model_config"
                    ? "custom_model_config is not supported; use model_config_list."
                    : $"unknown field '{field.Name}'; expected model_config_list.");
            }

            foreach (var entry in TextValues.Message(source, field))
            {
                if (entry.Name != "config")
                {
                    throw TextValues.Error(source, entry, $"unknown field '{entry.Name}' in model_config_list; expected config.");
                }

                var config = ReadConfig(source, entry);
                if (!names.Add(config.Name))
                {
                    throw TextValues.Error(source, entry, $"model name '{config.Name}' is configured twice.");
                }

                configs.Add(config);
            }
        }

        if (configs.Count == 0)
        {
            throw TextFormatParser.Error(source, 1, 1, "no model configured: add model_config_list { config { name: \"…\" base_path: \"…\" } }.");
        }

        return configs;
    }

    private static ModelConfig ReadConfig(string source, TextNode entry)
    {
        var fields = TextValues.Message(source, entry);
        string? name = null;
        string? basePath = null;
        var platform = "onnx";
        var policy = ModelVersionPolicy.Default;
        var labels = new Dictionary<string, long>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (field.Name != "version_labels" && !seen.Add(field.Name))
            {
                throw TextValues.Error(source, field, $"field '{field.Name}' is given more than once.");
            }

            switch (field.Name)
            {
                case "name":
                    name = TextValues.String(source, field);
                    break;
                case "base_path":
                    basePath = TextValues.String(source, field);
                    break;
                case "model_platform":
                    platform = TextValues.String(source, field);
                    if (!string.Equals(platform, "onnx", StringComparison.OrdinalIgnoreCase))
                    {
                        throw TextValues.Error(source, field, $"model_platform \"{platform}\" is not served; Mantle serves \"onnx\".");
                    }

                    break;
                case "model_version_policy":
                    policy = ReadPolicy(source, field);
                    break;
                case "version_labels":
                    var (label, version) = ReadLabel(source, field);
                    if (!labels.TryAdd(label, version))
                    {
                        throw TextValues.Error(source, field, $"version label '{label}' is given more than once.");
                    }

                    break;
                case "model_type":
                case "logging_config":
                case "model_warmup_config":
                    throw TextValues.Error(source, field, $"field '{field.Name}' is not supported by Mantle.");
                default:
                    throw TextValues.Error(source, field, $"unknown field '{field.Name}' in config; expected name, base_path, model_platform, model_version_policy or version_labels.");
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw TextValues.Error(source, entry, "config has no name.");
        }

        if (string.IsNullOrEmpty(basePath))
        {
            throw TextValues.Error(source, entry, $"config '{name}' has no base_path.");
        }

        return new ModelConfig
        {
            Name = name,
            BasePath = Path.GetFullPath(basePath),
            Platform = platform,
            VersionPolicy = policy,
            Labels = labels,
        };
    }

    private static ModelVersionPolicy ReadPolicy(string source, TextNode node)
    {
        var fields = TextValues.Message(source, node);
        if (fields.Count != 1)
        {
            throw TextValues.Error(source, node, "model_version_policy holds exactly one of latest, all or specific.");
        }

        var kind = fields[0];
        var body = TextValues.Message(source, kind);
        switch (kind.Name)
        {
            case "latest":
                var count = 1L;
                foreach (var field in body)
                {
                    if (field.Name != "num_versions")
                    {
                        throw TextValues.Error(source, field, $"unknown field '{field.Name}' in latest; expected num_versions.");
                    }

                    count = TextValues.Int64(source, field);
                    if (count is < 1 or > int.MaxValue)
                    {
                        throw TextValues.Error(source, field, $"num_versions must be at least 1, not {count}.");
                    }
                }

                return ModelVersionPolicy.Latest((int)count);
            case "all":
                if (body.Count > 0)
                {
                    throw TextValues.Error(source, body[0], "all takes no fields: write all {}.");
                }

                return ModelVersionPolicy.All();
            case "specific":
                var versions = new List<long>();
                foreach (var field in body)
                {
                    if (field.Name != "versions")
                    {
                        throw TextValues.Error(source, field, $"unknown field '{field.Name}' in specific; expected versions.");
                    }

                    var version = TextValues.Int64(source, field);
                    if (version < 0)
                    {
                        throw TextValues.Error(source, field, $"versions must not be negative, not {version}.");
                    }

                    versions.Add(version);
                }

                if (versions.Count == 0)
                {
                    throw TextValues.Error(source, kind, "specific lists at least one version: specific { versions: 1 }.");
                }

                return ModelVersionPolicy.Specific(versions);
            default:
                throw TextValues.Error(source, kind, $"unknown version policy '{kind.Name}'; expected latest, all or specific.");
        }
    }

    private static (string Label, long Version) ReadLabel(string source, TextNode node)
    {
        var fields = TextValues.Message(source, node);
        var key = TextValues.Single(source, fields, "key") ?? throw TextValues.Error(source, node, "version_labels needs a key.");
        var value = TextValues.Single(source, fields, "value") ?? throw TextValues.Error(source, node, "version_labels needs a value.");
        foreach (var field in fields.Where(f => f.Name is not "key" and not "value"))
        {
            throw TextValues.Error(source, field, $"unknown field '{field.Name}' in version_labels; expected key and value.");
        }

        var label = TextValues.String(source, key);
        if (label.Length == 0)
        {
            throw TextValues.Error(source, key, "a version label must not be empty.");
        }

        return (label, TextValues.Int64(source, value));
    }
}
