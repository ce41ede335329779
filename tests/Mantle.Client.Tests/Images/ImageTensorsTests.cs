using System.Runtime.InteropServices;
using Mantle.Client.Images;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;
using SkiaSharp;

namespace Mantle.Client.Tests.Images;

public sealed class ImageTensorsTests
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    // Red, green / blue, white.
    private static readonly SKColor[,] Quad = { { new(255, 0, 0), new(0, 255, 0) }, { new(0, 0, 255), new(255, 255, 255) } };

    [Fact]
    public void FromEncoded_TinyPngAtInputSize_NormalizesEachChannelInNchw()
    {
        var png = TestImages.Encode(2, 2, (x, y) => Quad[y, x]);

        var tensor = ImageTensors.FromEncoded("x", png, new ImagePreprocessing { Width = 2, Height = 2, Resize = ImageResize.Stretch });

        Assert.Equal([1L, 3, 2, 2], tensor.Shape);
        Assert.Equal(TensorDataType.Float32, tensor.DataType);
        var values = Floats(tensor);
        float[] red = [1, 0, 0, 1], green = [0, 1, 0, 1], blue = [0, 0, 1, 1];
        AssertClose([.. Normalize(red, 0), .. Normalize(green, 1), .. Normalize(blue, 2)], values, 1e-5f);
    }

    [Fact]
    public void FromEncoded_NhwcLayout_InterleavesChannels()
    {
        var png = TestImages.Encode(2, 2, (x, y) => Quad[y, x]);

        var tensor = ImageTensors.FromEncoded("x", png, new ImagePreprocessing { Width = 2, Height = 2, Layout = ImageLayout.Nhwc });

        Assert.Equal([1L, 2, 2, 3], tensor.Shape);
        var values = Floats(tensor);
        AssertClose([.. Normalize([1, 0, 0]), .. Normalize([0, 1, 0])], values[..6], 1e-5f);
    }

    [Fact]
    public void FromEncoded_CenterCrop_TakesTheMiddleColumns()
    {
        SKColor[] columns = [SKColors.Black, new(255, 0, 0), new(0, 255, 0), SKColors.White];
        var png = TestImages.Encode(4, 2, (x, _) => columns[x]);

        var tensor = ImageTensors.FromEncoded("x", png, new ImagePreprocessing { Width = 2, Height = 2 });

        var values = Floats(tensor);
        float[] red = [1, 0, 1, 0], green = [0, 1, 0, 1], blue = [0, 0, 0, 0];
        AssertClose([.. Normalize(red, 0), .. Normalize(green, 1), .. Normalize(blue, 2)], values, 1e-5f);
    }

    [Theory]
    [InlineData(640, 480, 341, 256)]
    [InlineData(480, 640, 256, 341)]
    [InlineData(224, 224, 256, 256)]
    [InlineData(100, 50, 512, 256)]
    public void ScaledSize_ImageNetDefaults_ShorterSideTo256(int width, int height, int scaledWidth, int scaledHeight)
    {
        Assert.Equal((scaledWidth, scaledHeight), ImageTensors.ScaledSize(width, height, new ImagePreprocessing()));
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, 0.02f)]
    [InlineData(SKEncodedImageFormat.Jpeg, 0.1f)]
    public void FromEncoded_SolidColourAtImageNetSize_KeepsTheColour(SKEncodedImageFormat format, float tolerance)
    {
        var encoded = TestImages.Encode(40, 30, (_, _) => new SKColor(200, 100, 50), format);

        var tensor = ImageTensors.FromEncoded("input", encoded, new ImagePreprocessing());

        Assert.Equal([1L, 3, 224, 224], tensor.Shape);
        var values = Floats(tensor);
        var expected = Normalize([200 / 255f, 100 / 255f, 50 / 255f]);
        for (var c = 0; c < 3; c++)
        {
            var plane = values.AsSpan(c * 224 * 224, 224 * 224);
            Assert.All(plane.ToArray(), v => Assert.InRange(v, expected[c] - tolerance, expected[c] + tolerance));
        }
    }

    [Fact]
    public void FromEncoded_NotAnImage_SaysSo()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageTensors.FromEncoded("x", "definitely not a picture"u8, new ImagePreprocessing()));

        Assert.Contains("not an image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_Missing_NamesTheFile()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageTensors.FromFile("x", "/nonexistent/cat.jpg", new ImagePreprocessing()));

        Assert.Contains("/nonexistent/cat.jpg", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new long[] { 1, 3, 224, 224 }, ImageLayout.Nchw, 224, 224)]
    [InlineData(new long[] { -1, 299, 320, 3 }, ImageLayout.Nhwc, 299, 320)]
    [InlineData(new long[] { -1, 3, -1, -1 }, ImageLayout.Nchw, 224, 224)]
    public void ForInput_ImageShapes_ReadSizeAndLayout(long[] shape, ImageLayout layout, int height, int width)
    {
        var options = ImagePreprocessing.ForInput(new TensorDescription("input", TensorDataType.Float32, shape));

        Assert.Equal((layout, height, width), (options.Layout, options.Height, options.Width));
    }

    [Fact]
    public void ForInput_NotAnImageInput_NamesTheShape()
    {
        var error = Assert.Throws<ArgumentException>(() => ImagePreprocessing.ForInput(new TensorDescription("ids", TensorDataType.Int64, [1, 128])));

        Assert.Contains("'ids' is INT64 [1, 128]", error.Message, StringComparison.Ordinal);
    }

    private static float[] Normalize(float[] rgb) => [.. rgb.Select((v, c) => (v - Mean[c]) / Std[c])];

    private static float[] Normalize(float[] plane, int channel) => [.. plane.Select(v => (v - Mean[channel]) / Std[channel])];

    private static float[] Floats(ClientTensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.Data).ToArray();

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
