using Mantle.Serving.Repository;
using Mantle.Serving.Repository.Internal;

namespace Mantle.Serving.Batching;

/// <summary>
/// Reads TF Serving's <c>--batching_parameters_file</c> (text-format <c>BatchingParameters</c>):
/// <c>max_batch_size</c>, <c>batch_timeout_micros</c>, <c>max_enqueued_batches</c>,
/// <c>num_batch_threads</c> (each as <c>{ value: N }</c> or <c>: N</c>), repeated
/// <c>allowed_batch_sizes</c> and <c>pad_variable_length_inputs</c> (accepted, must be false).
/// </summary>
public static class BatchingParametersFile
{
    /// <summary>Reads and parses a batching parameters file.</summary>
    /// <exception cref="ConfigFileException">The file cannot be read, is malformed or invalid; the message gives file:line:column.</exception>
    public static BatchingOptions Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"Cannot read batching parameters file {path}: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses batching parameters; fields not given keep the <see cref="BatchingOptions"/> defaults.</summary>
    /// <exception cref="ConfigFileException">The text is malformed or invalid.</exception>
    public static BatchingOptions Parse(string text, string source = "batching_parameters")
    {
        ArgumentNullException.ThrowIfNull(text);
        var options = new BatchingOptions();
        foreach (var field in TextFormatParser.Parse(text, source))
        {
            switch (field.Name)
            {
                case "max_batch_size":
                    options.MaxBatchSize = ToInt(source, field);
                    break;
                case "batch_timeout_micros":
                    options.BatchTimeout = TimeSpan.FromMicroseconds(TextValues.Int64(source, field));
                    break;
                case "max_enqueued_batches":
                    options.MaxEnqueuedBatches = ToInt(source, field);
                    break;
                case "num_batch_threads":
                    options.BatchThreads = ToInt(source, field);
                    break;
                case "allowed_batch_sizes":
                    options.AllowedBatchSizes.Add(ToInt(source, field));
                    break;
                case "pad_variable_length_inputs":
                    if (TextValues.Bool(source, field))
                    {
                        throw TextValues.Error(source, field, "pad_variable_length_inputs is not supported; requests whose shapes differ run in separate batches.");
                    }

                    break;
                case "thread_pool_name":
                    break;
                default:
                    throw TextValues.Error(source, field, $"unknown batching parameter '{field.Name}'.");
            }
        }

        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ConfigFileException($"{source}: " + string.Join(" ", problems));
        }

        return options;
    }

    private static int ToInt(string source, TextNode field)
    {
        var value = TextValues.Int64(source, field);
        return value is < 0 or > int.MaxValue
            ? throw TextValues.Error(source, field, $"{field.Name} is out of range: {value}.")
            : (int)value;
    }
}
