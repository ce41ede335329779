using System.Buffers;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Mantle.Serving.Engine;
using Mantle.Serving.Metrics;
using Mantle.Serving.Protocol.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.TfServing.Internal.Rest;

/// <summary>The TF Serving REST API: model status, metadata and predict under /v1/models.</summary>
internal sealed class TfRestEndpoints(IModelRepository repository, ILogger<TfRestEndpoints> logger, IServiceProvider services)
{
    private readonly ServingMetrics? _metrics = services.GetService<ServingMetrics>();

    private static readonly JsonFormatter ProtoJson = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    private static readonly object StartedKey = new();

    public static Task HandleGet(HttpContext context)
    {
        context.Items[StartedKey] = Stopwatch.GetTimestamp();
        return context.RequestServices.GetRequiredService<TfRestEndpoints>().GetAsync(context);
    }

    public static Task HandlePost(HttpContext context)
    {
        context.Items[StartedKey] = Stopwatch.GetTimestamp();
        return context.RequestServices.GetRequiredService<TfRestEndpoints>().PostAsync(context);
    }

    private static string RawPath(HttpContext context) => context.Request.RouteValues["path"] as string ?? string.Empty;

    private Task GetAsync(HttpContext context)
    {
        var path = TfRestPath.Parse(RawPath(context));
        if (path is null || path.Verb is not null)
        {
            return WriteErrorAsync(context, null, Malformed(context));
        }

        return path.Metadata ? MetadataAsync(context, path) : StatusAsync(context, path);
    }

    private Task StatusAsync(HttpContext context, TfRestPath path)
    {
        var response = TfModelStatus.Get(repository, path.Model, path.Version, path.Label, out var error);
        if (response is null)
        {
            return WriteErrorAsync(context, path.Model, error!);
        }

        Record(context, path.Model, null, null);
        return WriteJsonAsync(context, null, ProtoJson.Format(response));
    }

    private Task MetadataAsync(HttpContext context, TfRestPath path)
    {
        var lookup = repository.Find(path.Model, path.Version, path.Label);
        if (!lookup.Found)
        {
            return WriteErrorAsync(context, path.Model, lookup.Error);
        }

        var spec = ProtoJson.Format(TfModels.SpecOf(lookup.Model));
        var signatures = ProtoJson.Format(TfModels.SignatureDefs(lookup.Model.Signature));
        return WriteJsonAsync(context, lookup.Model, $"{{\"model_spec\": {spec}, \"metadata\": {{\"signature_def\": {signatures}}}}}");
    }

    private async Task PostAsync(HttpContext context)
    {
        var path = TfRestPath.Parse(RawPath(context));
        if (path is null || path.Metadata || path.Verb is null)
        {
            await WriteErrorAsync(context, null, Malformed(context)).ConfigureAwait(false);
            return;
        }

        if (path.Verb is "classify" or "regress")
        {
            await WriteErrorAsync(context, path.Model, new ServingError(
                ServingErrorCode.Unimplemented,
                $"The :{path.Verb} API is not supported: it needs tf.Example inputs and a TensorFlow {path.Verb} signature, which ONNX models do not have; use :predict")).ConfigureAwait(false);
            return;
        }

        if (path.Verb != "predict")
        {
            await WriteErrorAsync(context, path.Model, Malformed(context)).ConfigureAwait(false);
            return;
        }

        await PredictAsync(context, path).ConfigureAwait(false);
    }

    private async Task PredictAsync(HttpContext context, TfRestPath path)
    {
        var lookup = repository.Find(path.Model, path.Version, path.Label);
        if (!lookup.Found)
        {
            await WriteErrorAsync(context, path.Model, lookup.Error).ConfigureAwait(false);
            return;
        }

        var model = lookup.Model;
        using var body = await RequestBodyReader.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is not null)
        {
            await WriteErrorAsync(context, path.Model, body.Error, body.Status).ConfigureAwait(false);
            return;
        }

        byte[]? rewritten = null;
        try
        {
            rewritten = JsonNonFinite.Rewrite(body.Memory.Span, out var rewrittenLength);
            using var request = rewritten is null
                ? JsonPredictRequest.Parse(body.Buffer, body.Length, model.Signature)
                : JsonPredictRequest.Parse(rewritten, rewrittenLength, model.Signature);
            if (request.Error is not null)
            {
                await WriteErrorAsync(context, path.Model, request.Error).ConfigureAwait(false);
                return;
            }

            using var result = await model.InferAsync(new InferenceRequest(request.Inputs), context.RequestAborted).ConfigureAwait(false);
            var error = result.Error ?? JsonPredictResponse.CheckWritable(result.Outputs, request.RowFormat);
            if (error is not null)
            {
                await WriteErrorAsync(context, path.Model, error).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
            {
                JsonPredictResponse.Write(writer, result.Outputs, request.RowFormat);
            }

            Record(context, model.Name, model.Version, null);
        }
        finally
        {
            if (rewritten is not null)
            {
                ArrayPool<byte>.Shared.Return(rewritten);
            }
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static ServingError Malformed(HttpContext context) => new(
        ServingErrorCode.InvalidArgument,
        $"Malformed request: {context.Request.Method} {context.Request.Path}; expected GET /v1/models/<name>[/versions/<n>|/labels/<label>][/metadata] or POST …:predict");

    private void Record(HttpContext context, string? model, long? version, ServingErrorCode? error)
    {
        if (_metrics is not null && context.Items.TryGetValue(StartedKey, out var started) && started is long timestamp)
        {
            _metrics.RecordRequest(ServingApiNames.TfServingRest, model ?? string.Empty, version, error, Stopwatch.GetElapsedTime(timestamp));
        }
    }

    private async Task WriteJsonAsync(HttpContext context, IServableModel? model, string json)
    {
        if (model is not null)
        {
            Record(context, model.Name, model.Version, null);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task WriteErrorAsync(HttpContext context, string? model, ServingError error, int? status = null)
    {
        Record(context, model, null, error.Code);
        TfServingLog.RestRequestFailed(logger, model ?? "-", error.Code);
        context.Response.StatusCode = status ?? ServingStatusCodes.ToHttp(error.Code);
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, error.Message);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
