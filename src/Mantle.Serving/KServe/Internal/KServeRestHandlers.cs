using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mantle.Serving.Engine;
using Mantle.Serving.Metrics;
using Mantle.Serving.Protocol.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mantle.Serving.KServe.Internal;

/// <summary>The REST handlers of the protocol (<c>/v2…</c>).</summary>
internal sealed class KServeRestHandlers(
    IModelRepository repository,
    IOptions<KServeOptions> options,
    ILogger<KServeRestHandlers> logger,
    ServingMetrics? metrics = null)
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";
    private const string Api = "rest";
    private readonly KServeOptions _options = options.Value;

    public Task ServerMetadata(HttpContext context) => WriteJsonAsync(context, StatusCodes.Status200OK, w =>
    {
        w.WriteString("name", _options.ServerName);
        w.WriteString("version", KServeServerInfo.Version);
        w.WriteStartArray("extensions");
        foreach (var extension in KServeServerInfo.Extensions)
        {
            w.WriteStringValue(extension);
        }

        w.WriteEndArray();
    });

    public static Task Live(HttpContext context) => WriteJsonAsync(context, StatusCodes.Status200OK, w => w.WriteBoolean("live", true));

    public Task Ready(HttpContext context)
    {
        var ready = repository.IsReady;
        return WriteJsonAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, w => w.WriteBoolean("ready", ready));
    }

    public Task ModelMetadata(HttpContext context)
    {
        var (name, lookup) = Lookup(context);
        if (!lookup.Found)
        {
            return WriteErrorAsync(context, name, lookup.Error);
        }

        var model = lookup.Model;
        return WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("name", model.Name);
            w.WriteStartArray("versions");
            foreach (var status in repository.GetStatus(model.Name))
            {
                if (status.State == ModelVersionState.Available)
                {
                    w.WriteStringValue(status.Version.ToString(CultureInfo.InvariantCulture));
                }
            }

            w.WriteEndArray();
            w.WriteString("platform", model.Platform);
            w.WriteStartArray("inputs");
            foreach (var spec in model.Signature.Inputs)
            {
                KServeJsonWriter.WriteTensorMetadata(w, spec);
            }

            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var spec in model.Signature.Outputs)
            {
                KServeJsonWriter.WriteTensorMetadata(w, spec);
            }

            w.WriteEndArray();
        });
    }

    public Task ModelReady(HttpContext context)
    {
        var (name, lookup) = Lookup(context);
        if (!lookup.Found && lookup.Error.Code != ServingErrorCode.Unavailable)
        {
            return WriteErrorAsync(context, name, lookup.Error);
        }

        return WriteJsonAsync(context, lookup.Found ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, w =>
        {
            w.WriteString("name", name);
            w.WriteBoolean("ready", lookup.Found);
        });
    }

    public async Task Infer(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var (name, lookup) = Lookup(context);
        ServingErrorCode? outcome = null;
        try
        {
            outcome = await InferCoreAsync(context, name, lookup);
        }
        finally
        {
            metrics?.RecordRequest(ServingApiNames.KServeRest, name, lookup.Model?.Version, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<ServingErrorCode?> InferCoreAsync(HttpContext context, string name, ModelLookup lookup)
    {
        if (!lookup.Found)
        {
            await WriteErrorAsync(context, name, lookup.Error);
            return lookup.Error.Code;
        }

        var model = lookup.Model;
        RequestBody? body = null;
        try
        {
            long? headerLength = null;
            if (context.Request.Headers.TryGetValue(HeaderLengthHeader, out var value))
            {
                headerLength = long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                    ? h
                    : throw new KServeRequestException($"header {HeaderLengthHeader} must be a non-negative integer (the length of the JSON part)");
                if (context.Request.ContentLength is { } declared && h > declared)
                {
                    // Refused before the body is read: the JSON part cannot be longer than the whole body.
                    throw KServeRestRequest.HeaderLengthBeyondBody(h, declared);
                }
            }

            body = await RequestBodyReader.ReadAsync(context);
            if (body.Error is { } bodyError)
            {
                throw new KServeRequestException(bodyError.Message, bodyError.Code, body.Status);
            }

            var request = KServeRestRequest.Decode(body.Memory, headerLength);
            var outputNames = request.OutputNames;
            KServeTensorCodec.CheckSignature(model, request.Inputs, outputNames);
            using var result = await model.InferAsync(new InferenceRequest(request.Inputs, outputNames), context.RequestAborted);
            if (result.Error is { } error)
            {
                await WriteErrorAsync(context, name, error);
                return error.Code;
            }

            await WriteInferResponseAsync(context, model, request, result);
            return null;
        }
        catch (KServeRequestException ex)
        {
            KServeLog.RequestRefused(logger, Api, name, ex.Code, ex.Message);
            await WriteErrorAsync(context, ex.HttpStatus ?? ServingStatusCodes.ToHttp(ex.Code), ex.Message);
            return ex.Code;
        }
        finally
        {
            body?.Dispose();
        }
    }

    private static async Task WriteInferResponseAsync(HttpContext context, IServableModel model, KServeRestRequest request, InferenceResult result)
    {
        var json = new ArrayBufferWriter<byte>(256);
        List<InferenceTensor>? binary = null;
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteString("model_name", model.Name);
            w.WriteString("model_version", model.Version.ToString(CultureInfo.InvariantCulture));
            if (request.Header.Id is { } id)
            {
                w.WriteString("id", id);
            }

            w.WriteStartArray("outputs");
            foreach (var tensor in result.Outputs)
            {
                var datatype = KServeDataTypes.ToName(tensor.ElementType)
                    ?? throw new KServeRequestException($"output '{tensor.Name}' has element type {tensor.ElementType}, which the protocol cannot carry", ServingErrorCode.Unimplemented);
                w.WriteStartObject();
                w.WriteString("name", tensor.Name);
                w.WriteString("datatype", datatype);
                KServeJsonWriter.WriteShape(w, tensor.Shape);
                if (request.WantsBinary(tensor.Name))
                {
                    w.WriteStartObject("parameters");
                    w.WriteNumber("binary_data_size", KServeTensorCodec.RawLength(tensor));
                    w.WriteEndObject();
                    (binary ??= []).Add(tensor);
                }
                else
                {
                    KServeJsonWriter.WriteData(w, tensor);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (binary is null)
        {
            response.ContentType = "application/json";
            response.ContentLength = json.WrittenCount;
            await response.Body.WriteAsync(json.WrittenMemory, context.RequestAborted);
            return;
        }

        long total = json.WrittenCount;
        foreach (var tensor in binary)
        {
            total += KServeTensorCodec.RawLength(tensor);
        }

        response.ContentType = "application/octet-stream";
        response.Headers[HeaderLengthHeader] = json.WrittenCount.ToString(CultureInfo.InvariantCulture);
        response.ContentLength = total;
        var writer = response.BodyWriter;
        writer.Write(json.WrittenSpan);
        foreach (var tensor in binary)
        {
            KServeTensorCodec.WriteRaw(tensor, writer);
            await writer.FlushAsync(context.RequestAborted);
        }

        await writer.FlushAsync(context.RequestAborted);
    }

    private (string Name, ModelLookup Lookup) Lookup(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["model"]!;
        var versionText = context.Request.RouteValues["version"] as string;
        if (versionText is null)
        {
            return (name, repository.Find(name));
        }

        // A version that is not a number is looked up as a version label (a Mantle extension).
        return long.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (name, repository.Find(name, version))
            : (name, repository.Find(name, label: versionText));
    }

    private Task WriteErrorAsync(HttpContext context, string model, ServingError error)
    {
        if (error.Code == ServingErrorCode.Internal)
        {
            KServeLog.BackendFailed(logger, Api, model, error.Message);
        }
        else
        {
            KServeLog.RequestRefused(logger, Api, model, error.Code, error.Message);
        }

        return WriteErrorAsync(context, ServingStatusCodes.ToHttp(error.Code), error.Message);
    }

    public static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, status, w => w.WriteString("error", message));

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
