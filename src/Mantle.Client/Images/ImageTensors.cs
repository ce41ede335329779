using Mantle.Client.Tensors;
using SkiaSharp;

namespace Mantle.Client.Images;

/// <summary>
/// Decodes images (PNG, JPEG, WebP, GIF, BMP: whatever SkiaSharp reads) and turns them into float32 model inputs of
/// shape [1, 3, H, W] or [1, H, W, 3] as <see cref="ImagePreprocessing"/> says.
/// </summary>
public static class ImageTensors
{
    /// <summary>Reads and preprocesses an image file.</summary>
    /// <exception cref="ArgumentException">The file cannot be read or is not an image SkiaSharp can decode.</exception>
    public static ClientTensor FromFile(string name, string path, ImagePreprocessing options)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"The image '{path}' cannot be read: {ex.Message}", nameof(path), ex);
        }

        return FromEncoded(name, bytes, options, path);
    }

    /// <summary>Decodes and preprocesses an encoded image (the bytes of a PNG, JPEG, … file).</summary>
    /// <exception cref="ArgumentException">The bytes are not an image SkiaSharp can decode.</exception>
    public static ClientTensor FromEncoded(string name, ReadOnlySpan<byte> encoded, ImagePreprocessing options) =>
        FromEncoded(name, encoded, options, "the image");

    private static ClientTensor FromEncoded(string name, ReadOnlySpan<byte> encoded, ImagePreprocessing options, string source)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var decoded = Decode(encoded, source);
        var (scaledWidth, scaledHeight) = ScaledSize(decoded.Width, decoded.Height, options);
        using var scaled = scaledWidth == decoded.Width && scaledHeight == decoded.Height
            ? null
            : decoded.Resize(new SKImageInfo(scaledWidth, scaledHeight, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
              ?? throw new ArgumentException($"{source} ({decoded.Width}×{decoded.Height}) cannot be resized to {scaledWidth}×{scaledHeight}.");
        var values = ToTensor(scaled ?? decoded, options);
        long[] shape = options.Layout == ImageLayout.Nchw ? [1, 3, options.Height, options.Width] : [1, options.Height, options.Width, 3];
        var data = new byte[values.Length * sizeof(float)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(data);
        return new ClientTensor(name, TensorDataType.Float32, shape, data);
    }

    private static SKBitmap Decode(ReadOnlySpan<byte> encoded, string source)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ArgumentException($"{source} is not an image SkiaSharp can decode (PNG, JPEG, WebP, GIF, BMP, ICO, WBMP).");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        return SKBitmap.Decode(codec, info)
            ?? throw new ArgumentException($"{source} ({codec.EncodedFormat}, {codec.Info.Width}×{codec.Info.Height}) cannot be decoded.");
    }

    /// <summary>The size the whole image is scaled to before the centre (or all of it) is taken.</summary>
    internal static (int Width, int Height) ScaledSize(int width, int height, ImagePreprocessing options)
    {
        if (options.Resize == ImageResize.Stretch)
        {
            return (options.Width, options.Height);
        }

        // The shorter side goes to 256/224 of the input's shorter side (256 for 224), the other keeps the aspect ratio,
        // and neither may end up below the input size.
        var target = Math.Round(Math.Min(options.Width, options.Height) * 256.0 / 224.0, MidpointRounding.AwayFromZero);
        var scale = target / Math.Min(width, height);
        var scaledWidth = Math.Max(options.Width, (int)Math.Round(width * scale, MidpointRounding.AwayFromZero));
        var scaledHeight = Math.Max(options.Height, (int)Math.Round(height * scale, MidpointRounding.AwayFromZero));
        return (scaledWidth, scaledHeight);
    }

    /// <summary>Takes the centre <see cref="ImagePreprocessing.Width"/>×<see cref="ImagePreprocessing.Height"/> pixels, scales them to [0, 1] and normalizes them.</summary>
    internal static float[] ToTensor(SKBitmap bitmap, ImagePreprocessing options)
    {
        int width = options.Width, height = options.Height;
        var left = (bitmap.Width - width) / 2;
        var top = (bitmap.Height - height) / 2;
        var pixels = bitmap.GetPixelSpan();
        var rowBytes = bitmap.RowBytes;
        var result = new float[3 * width * height];
        Span<float> scale = [1f / (255f * options.Std[0]), 1f / (255f * options.Std[1]), 1f / (255f * options.Std[2])];
        Span<float> offset = [options.Mean[0] / options.Std[0], options.Mean[1] / options.Std[1], options.Mean[2] / options.Std[2]];
        for (var y = 0; y < height; y++)
        {
            var row = pixels.Slice((top + y) * rowBytes);
            for (var x = 0; x < width; x++)
            {
                var pixel = row.Slice((left + x) * 4, 4);
                for (var c = 0; c < 3; c++)
                {
                    var value = pixel[c] * scale[c] - offset[c];
                    var index = options.Layout == ImageLayout.Nchw ? (c * height + y) * width + x : (y * width + x) * 3 + c;
                    result[index] = value;
                }
            }
        }

        return result;
    }
}
