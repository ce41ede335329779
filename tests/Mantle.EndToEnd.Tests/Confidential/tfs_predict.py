"""TF Serving Predict over TLS with a client certificate, as a stock Python gRPC client does it.

Uses Debian's python3-grpcio and python3-protobuf. The message classes come from the descriptors of the
TF Serving protos (a FileDescriptorSet file), so no generated code is needed. Prints the float values of
output "y" as JSON.

usage: tfs_predict.py TARGET CA_PEM CERT_PEM KEY_PEM DESCRIPTOR_SET MODEL
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def main():
    target, ca, cert, key, descriptors, model = sys.argv[1:7]
    files = descriptor_pb2.FileDescriptorSet.FromString(open(descriptors, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    factory = message_factory.MessageFactory(pool)
    request_type = factory.GetPrototype(pool.FindMessageTypeByName("tensorflow.serving.PredictRequest"))
    response_type = factory.GetPrototype(pool.FindMessageTypeByName("tensorflow.serving.PredictResponse"))

    request = request_type()
    request.model_spec.name = model
    x = request.inputs["x"]
    x.dtype = 1  # DT_FLOAT
    x.tensor_shape.dim.add().size = 1
    x.tensor_shape.dim.add().size = 3
    x.float_val.extend([1.0, 2.0, 3.0])

    credentials = grpc.ssl_channel_credentials(
        root_certificates=open(ca, "rb").read(),
        private_key=open(key, "rb").read(),
        certificate_chain=open(cert, "rb").read())
    with grpc.secure_channel(target, credentials) as channel:
        predict = channel.unary_unary(
            "/tensorflow.serving.PredictionService/Predict",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_type.FromString)
        response = predict(request, timeout=30)

    y = response.outputs["y"]
    values = list(y.float_val)
    if not values and y.tensor_content:
        import struct
        values = list(struct.unpack("<%df" % (len(y.tensor_content) // 4), y.tensor_content))
    print(json.dumps(values))


if __name__ == "__main__":
    main()
