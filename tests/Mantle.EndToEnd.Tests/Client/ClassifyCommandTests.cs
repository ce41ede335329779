using System.Text.Json;
using Mantle.Client.Images;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;

namespace Mantle.EndToEnd.Tests.Client;

/// <summary>A real <c>mantle serve</c> with the ResNet-18 of the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18.</summary>
public sealed class ResNetServer : IAsyncLifetime
{
    private ChildProcess? _server;

    public string Folder { get; } = Directory.CreateTempSubdirectory("mantle-e2e-classify-").FullName;

    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    public int GrpcPort { get; private set; }

    public int RestPort { get; private set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "resnet", "1"));
        File.Copy(ModelPath, Path.Combine(Folder, "resnet", "1", "model.onnx"));
        (_server, GrpcPort, RestPort) = await MantleProcess.StartServingAsync("resnet", Path.Combine(Folder, "resnet"));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary><c>mantle classify</c> against ResNet-18 served by <c>mantle serve</c>, checked against ONNX Runtime in this process.</summary>
public sealed class ClassifyCommandTests(ResNetServer server) : IClassFixture<ResNetServer>
{
    [Fact]
    public async Task Classify_PngOverGrpc_MatchesOnnxRuntimeInProcess()
    {
        var image = WriteImage("gradient.png", SKEncodedImageFormat.Png);

        var (exit, stdout, stderr) = await MantleProcess.RunAsync("classify", "--url", $"127.0.0.1:{server.GrpcPort}", "--model", "resnet", "--image", image, "--top", "3", "--json");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("Pooling395_Output_0", root.GetProperty("output").GetString());
        Assert.True(root.GetProperty("softmax_applied").GetBoolean());
        var classes = root.GetProperty("classes").EnumerateArray().Select(c => (Index: c.GetProperty("index").GetInt32(), Score: c.GetProperty("score").GetSingle())).ToList();
        var expected = TopInProcess(image, 3);
        Assert.Equal(expected.Select(e => e.Index), classes.Select(c => c.Index));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i].Score, classes[i].Score, 1e-4f);
        }
    }

    [Fact]
    public async Task Classify_JpegOverRestWithLabels_PrintsLabelsInTable()
    {
        var image = WriteImage("gradient.jpg", SKEncodedImageFormat.Jpeg);
        var labels = Path.Combine(server.Folder, "labels.txt");
        await File.WriteAllLinesAsync(labels, Enumerable.Range(0, 512).Select(i => $"feature-{i}"));

        var (exit, stdout, stderr) = await MantleProcess.RunAsync("classify", "--url", $"127.0.0.1:{server.RestPort}", "--model", "resnet", "--protocol", "kserve-rest",
            "--image", image, "--labels", labels, "--top", "2");

        Assert.True(exit == 0, stderr);
        Assert.Equal("", stdout);
        var top = TopInProcess(image, 1)[0];
        Assert.Contains($"feature-{top.Index}", stderr, StringComparison.Ordinal);
        Assert.Contains("softmax applied", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_NotAnImage_IsUsageError()
    {
        var file = Path.Combine(server.Folder, "notes.txt");
        await File.WriteAllTextAsync(file, "not a picture");

        var (exit, _, stderr) = await MantleProcess.RunAsync("classify", "--url", $"127.0.0.1:{server.GrpcPort}", "--model", "resnet", "--image", file);

        Assert.Equal(2, exit);
        Assert.Contains("not an image", stderr, StringComparison.Ordinal);
    }

    private string WriteImage(string name, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(320, 240, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (var y = 0; y < 240; y++)
        {
            for (var x = 0; x < 320; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / 319), (byte)(y * 255 / 239), (byte)((x + y) % 256)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 95);
        var path = Path.Combine(server.Folder, name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>The same preprocessing, run by ONNX Runtime here: what the server must have computed.</summary>
    private static List<ClassScore> TopInProcess(string image, int k)
    {
        using var session = new InferenceSession(ResNetServer.ModelPath);
        var input = session.InputMetadata.Single();
        var tensor = ImageTensors.FromFile(input.Key, image, new ImagePreprocessing());
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.Data).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input.Key, new DenseTensor<float>(values, [1, 3, 224, 224]))]);
        var output = results[0].AsEnumerable<float>().ToArray();
        return [.. Classification.TopK(output, k, null, out _)];
    }
}
