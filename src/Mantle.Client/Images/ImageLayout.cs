namespace Mantle.Client.Images;

/// <summary>The order of an image tensor's dimensions.</summary>
public enum ImageLayout
{
    /// <summary>[batch, channel, height, width]: ONNX and PyTorch models.</summary>
    Nchw,

    /// <summary>[batch, height, width, channel]: TensorFlow models.</summary>
    Nhwc,
}
