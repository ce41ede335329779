using Mantle.Client.Tensors;

namespace Mantle.Client.Inference;

/// <summary>A client of one of the inference APIs.</summary>
public interface IInferenceClient : IDisposable
{
    /// <summary>The API this client speaks.</summary>
    InferenceProtocol Protocol { get; }

    /// <summary>Reads the model's inputs and outputs from the server's metadata API.</summary>
    /// <exception cref="InferenceClientException">The server answered with an error.</exception>
    Task<ModelDescription> GetModelAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>Runs one inference and returns the outputs.</summary>
    /// <exception cref="InferenceClientException">The server answered with an error.</exception>
    Task<IReadOnlyList<ClientTensor>> InferAsync(string model, IReadOnlyList<ClientTensor> inputs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Encodes a request once and returns a function that sends it again and again, checking only that
    /// the server succeeded: what a load generator needs, so that encoding is not measured.
    /// </summary>
    Func<CancellationToken, Task> Prepare(string model, IReadOnlyList<ClientTensor> inputs);
}
