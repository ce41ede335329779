using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Tests.Hosting;

public sealed class ConfigReloadTests : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly LogCapture _logs = new();
    private DateTime _written = DateTime.UtcNow.AddMinutes(-10);

    public void Dispose()
    {
        _root.Dispose();
        _logs.Dispose();
    }

    private string ConfigPath => Path.Combine(_root.Path, "models.config");

    private string Model(string name)
    {
        var basePath = Path.Combine(_root.Path, name);
        TestModels.WriteVersion(basePath, 1, TestModels.MatMulAdd());
        return basePath;
    }

    private void WriteConfig(string text)
    {
        File.WriteAllText(ConfigPath, text);
        _written = _written.AddSeconds(10);
        File.SetLastWriteTimeUtc(ConfigPath, _written);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task ConfigFileChanges_AddRemoveAndBadEdits_AreAppliedOrLogged()
    {
        var a = Model("a");
        var b = Model("b");
        WriteConfig($"model_config_list {{ config {{ name: \"a\" base_path: \"{a}\" }} }}");
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.FromMilliseconds(100), LoggerFactory = _logs, ModelConfigFile = ConfigPath };
        foreach (var model in ModelConfigFile.Load(ConfigPath))
        {
            options.Models.Add(model);
        }

        await using var server = await ServingServer.StartAsync(options);
        Assert.False(server.Repository.Find("b").Found);

        WriteConfig($"model_config_list {{ config {{ name: \"a\" base_path: \"{a}\" }} config {{ name: \"b\" base_path: \"{b}\" version_labels {{ key: \"stable\" value: 1 }} }} }}");
        await Until(() => server.Repository.Find("b", label: "stable").Found);
        Assert.True(server.Repository.Find("a").Found);

        WriteConfig("model_config_list { config { name: \"a\" ");
        await Until(() => _logs.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("was not applied", StringComparison.Ordinal)));
        Assert.True(server.Repository.Find("b").Found);

        WriteConfig($"model_config_list {{ config {{ name: \"b\" base_path: \"{b}\" }} }}");
        await Until(() => !server.Repository.Find("a").Found);
        Assert.Equal(ServingErrorCode.NotFound, server.Repository.Find("a").Error?.Code);
        Assert.Equal(["b"], server.Repository.ModelNames);
        Assert.True(server.Repository.Find("b").Found);
    }
}
