namespace Mantle.Client.Images;

/// <summary>How an image is brought to a model's input size.</summary>
public enum ImageResize
{
    /// <summary>
    /// Scale the shorter side to 256/224 of the input's shorter side (256 for a 224×224 input), keeping the aspect ratio,
    /// then cut the centre: the evaluation transform of the torchvision and Keras ImageNet models.
    /// </summary>
    CenterCrop,

    /// <summary>Scale straight to the input's height and width, changing the aspect ratio if it differs.</summary>
    Stretch,
}
