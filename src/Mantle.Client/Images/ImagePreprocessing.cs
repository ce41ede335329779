using Mantle.Client.Inference;
using Mantle.Client.Tensors;

namespace Mantle.Client.Images;

/// <summary>
/// How an image becomes a model input: size, resize method, layout and normalization. The defaults are the ImageNet
/// ones (224×224, shorter side to 256 then centre crop, RGB scaled to [0, 1] then normalized per channel with mean
/// 0.485, 0.456, 0.406 and standard deviation 0.229, 0.224, 0.225, NCHW float32), as in Triton's image client and the
/// torchvision models.
/// </summary>
public sealed class ImagePreprocessing
{
    /// <summary>The ImageNet channel means (R, G, B) of pixel values scaled to [0, 1].</summary>
    public static readonly IReadOnlyList<float> ImageNetMean = [0.485f, 0.456f, 0.406f];

    /// <summary>The ImageNet channel standard deviations (R, G, B) of pixel values scaled to [0, 1].</summary>
    public static readonly IReadOnlyList<float> ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>The input width in pixels. Defaults to 224.</summary>
    public int Width { get; set; } = 224;

    /// <summary>The input height in pixels. Defaults to 224.</summary>
    public int Height { get; set; } = 224;

    /// <summary>How the image is brought to <see cref="Width"/>×<see cref="Height"/>. Defaults to <see cref="ImageResize.CenterCrop"/>.</summary>
    public ImageResize Resize { get; set; } = ImageResize.CenterCrop;

    /// <summary>The tensor layout. Defaults to <see cref="ImageLayout.Nchw"/>.</summary>
    public ImageLayout Layout { get; set; } = ImageLayout.Nchw;

    /// <summary>Per-channel means (R, G, B) subtracted from pixel values scaled to [0, 1]. Defaults to <see cref="ImageNetMean"/>.</summary>
    public IReadOnlyList<float> Mean { get; set; } = ImageNetMean;

    /// <summary>Per-channel standard deviations (R, G, B) the values are divided by. Defaults to <see cref="ImageNetStd"/>.</summary>
    public IReadOnlyList<float> Std { get; set; } = ImageNetStd;

    /// <summary>
    /// Preprocessing for a model's image input: its height, width and layout come from the input's shape
    /// (<c>[N, 3, H, W]</c> or <c>[N, H, W, 3]</c>); dynamic height and width stay 224.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not a float32 tensor of four dimensions with three channels.</exception>
    public static ImagePreprocessing ForInput(TensorDescription input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.Shape;
        if (input.DataType != TensorDataType.Float32 || shape.Count != 4)
        {
            throw new ArgumentException($"The model input '{input.Name}' is {TensorDataTypes.ToKServeName(input.DataType)} [{string.Join(", ", shape)}]; an image input is FP32 [N, 3, H, W] or [N, H, W, 3].", nameof(input));
        }

        var options = new ImagePreprocessing();
        if (shape[1] == 3)
        {
            options.Layout = ImageLayout.Nchw;
            options.Height = shape[2] > 0 ? (int)shape[2] : options.Height;
            options.Width = shape[3] > 0 ? (int)shape[3] : options.Width;
        }
        else if (shape[3] == 3)
        {
            options.Layout = ImageLayout.Nhwc;
            options.Height = shape[1] > 0 ? (int)shape[1] : options.Height;
            options.Width = shape[2] > 0 ? (int)shape[2] : options.Width;
        }
        else
        {
            throw new ArgumentException($"The model input '{input.Name}' has shape [{string.Join(", ", shape)}], which has no dimension of 3 colour channels in position 1 (NCHW) or 3 (NHWC).", nameof(input));
        }

        return options;
    }

    internal void Validate()
    {
        if (Width <= 0 || Height <= 0)
        {
            throw new ArgumentException($"ImagePreprocessing.Width and Height must be positive, not {Width}×{Height}.");
        }

        if (Mean.Count != 3 || Std.Count != 3 || Std.Any(s => s == 0))
        {
            throw new ArgumentException("ImagePreprocessing.Mean and Std need three values (R, G, B), and no standard deviation may be 0.");
        }
    }
}
