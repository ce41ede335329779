using Mantle.Serving.Batching;
using Mantle.Serving.Repository;

namespace Mantle.Serving.Tests.Repository;

public sealed class ModelConfigFileTests
{
    [Fact]
    public void Parse_FullConfig_ReadsEveryField()
    {
        const string text = """
            # two models
            model_config_list {
              config {
                name: "resnet"
                base_path: "/models/resnet"
                model_platform: "onnx"
                model_version_policy { latest { num_versions: 2 } }
                version_labels { key: "stable" value: 1 }
                version_labels { key: 'canary' value: 2 }
              }
              config: {
                name: "tiny", base_path: "/models/tiny";
                model_version_policy: { specific { versions: 1 versions: 3 } }
              }
              config < name: "all" base_path: "/models/all" model_version_policy { all {} } >
            }
            """;

        var configs = ModelConfigFile.Parse(text);

        Assert.Equal(["resnet", "tiny", "all"], configs.Select(c => c.Name));
        Assert.Equal("/models/resnet", configs[0].BasePath);
        Assert.Equal(ModelVersionPolicyKind.Latest, configs[0].VersionPolicy.Kind);
        Assert.Equal(2, configs[0].VersionPolicy.LatestCount);
        Assert.Equal(1, configs[0].Labels["stable"]);
        Assert.Equal(2, configs[0].Labels["canary"]);
        Assert.Equal([1L, 3L], configs[1].VersionPolicy.Versions);
        Assert.Equal(ModelVersionPolicyKind.All, configs[2].VersionPolicy.Kind);
    }

    [Fact]
    public void Parse_NoPolicy_DefaultsToLatestOne()
    {
        var config = Assert.Single(ModelConfigFile.Parse("model_config_list { config { name: \"m\" base_path: \"/m\" } }"));

        Assert.Equal(ModelVersionPolicyKind.Latest, config.VersionPolicy.Kind);
        Assert.Equal(1, config.VersionPolicy.LatestCount);
    }

    [Fact]
    public void Parse_RelativeBasePath_IsResolvedAgainstTheCurrentDirectory()
    {
        var config = Assert.Single(ModelConfigFile.Parse("model_config_list { config { name: \"m\" base_path: \"models/m\" } }"));

        Assert.Equal(Path.GetFullPath("models/m"), config.BasePath);
    }

    [Theory]
    [InlineData("model_config_list {\n  config {\n    name: \"m\"\n    base_pth: \"/m\"\n  }\n}", "cfg:4:5: unknown field 'base_pth'")]
    [InlineData("model_config_list {\n  config { name: \"m\" base_path: \"/m\" ", "cfg:2:38: unexpected end of file: missing '}'")]
    [InlineData("model_config_list { config { name: m base_path: \"/m\" } }", "cfg:1:30: field 'name' takes a quoted string")]
    [InlineData("model_config_list { config { name: \"m\" base_path: \"/m\" model_platform: \"tensorflow\" } }", "cfg:1:56: model_platform \"tensorflow\" is not served")]
    [InlineData("model_config_list { config { base_path: \"/m\" } }", "cfg:1:21: config has no name")]
    [InlineData("model_config_list { config { name: \"m\" } }", "cfg:1:21: config 'm' has no base_path")]
    [InlineData("model_config_list { config { name: \"m\" base_path: \"/m\" model_version_policy { newest {} } } }", "cfg:1:79: unknown version policy 'newest'")]
    [InlineData("model_config_list { config { name: \"m\" base_path: \"/m\" model_version_policy { specific {} } } }", "specific lists at least one version")]
    [InlineData("model_config_list { config { name: \"m\" base_path: \"/m\" model_version_policy { latest { num_versions: 0 } } } }", "num_versions must be at least 1")]
    [InlineData("model_config_list { config { name: \"m\" base_path: \"/m\" version_labels { key: \"a\" value: \"x\" } } }", "field 'value' takes an integer")]
    [InlineData("model_config_list { config { name: \"m\" base_path: \"/m\" version_labels { key: \"a\" value: 1 } version_labels { key: \"a\" value: 2 } } }", "version label 'a' is given more than once")]
    [InlineData("model_config_list { config { name: \"m\" base_path: \"/a\" } config { name: \"m\" base_path: \"/b\" } }", "model name 'm' is configured twice")]
    [InlineData("model_config_list { config { name: \"m\n\" } }", "cfg:1:38: unterminated string")]
    [InlineData("custom_model_config { }", "custom_model_config is not supported")]
    [InlineData("", "no model configured")]
    [InlineData("model_config_list { config { name \"m\" } }", "expected ':' or '{' after field 'name'")]
    public void Parse_BadConfig_ThrowsWithLineAndColumn(string text, string expected)
    {
        var ex = Assert.Throws<ConfigFileException>(() => ModelConfigFile.Parse(text, "cfg"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "mantle-no-such-config-" + Guid.NewGuid().ToString("N"));

        var ex = Assert.Throws<ConfigFileException>(() => ModelConfigFile.Load(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BatchingParameters_TfServingFormat_ReadsEveryField()
    {
        const string text = """
            max_batch_size { value: 8 }
            batch_timeout_micros { value: 2500 }
            max_enqueued_batches { value: 20 }
            num_batch_threads { value: 2 }
            allowed_batch_sizes: 2
            allowed_batch_sizes: 4
            allowed_batch_sizes: 8
            pad_variable_length_inputs: false
            """;

        var options = BatchingParametersFile.Parse(text);

        Assert.Equal(8, options.MaxBatchSize);
        Assert.Equal(TimeSpan.FromMicroseconds(2500), options.BatchTimeout);
        Assert.Equal(20, options.MaxEnqueuedBatches);
        Assert.Equal(2, options.BatchThreads);
        Assert.Equal([2, 4, 8], options.AllowedBatchSizes);
    }

    [Theory]
    [InlineData("max_batch_size { value: 8 }\nallowed_batch_sizes: 4", "the last of allowed_batch_sizes (4) must equal max_batch_size (8)")]
    [InlineData("max_batch_size: 0", "max_batch_size must be at least 1")]
    [InlineData("max_batch_sise: 4", "b:1:1: unknown batching parameter 'max_batch_sise'")]
    [InlineData("pad_variable_length_inputs: true", "pad_variable_length_inputs is not supported")]
    public void BatchingParameters_Bad_Throws(string text, string expected)
    {
        var ex = Assert.Throws<ConfigFileException>(() => BatchingParametersFile.Parse(text, "b"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
