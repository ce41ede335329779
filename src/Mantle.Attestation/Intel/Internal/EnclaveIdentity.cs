using System.Buffers.Binary;
using System.Text.Json;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>Intel QE identity (PCS <c>enclaveIdentity</c>, version 2: <c>QE</c> for SGX, <c>TD_QE</c> for TDX).</summary>
internal sealed class EnclaveIdentity
{
    private const string What = "QE identity";

    public required string Id { get; init; }

    public required DateTimeOffset IssueDate { get; init; }

    public required DateTimeOffset NextUpdate { get; init; }

    public required uint MiscSelect { get; init; }

    public required uint MiscSelectMask { get; init; }

    public required byte[] Attributes { get; init; }

    public required byte[] AttributesMask { get; init; }

    public required byte[] MrSigner { get; init; }

    public required int IsvProdId { get; init; }

    public required IReadOnlyList<IsvSvnLevel> Levels { get; init; }

    public static EnclaveIdentity Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var version = JsonFields.Int(root, "version", What);
            if (version != 2)
            {
                throw IntelErrors.Collateral($"QE identity version {version} is not supported (2). Fetch it from the PCS v3 or v4 API.");
            }

            return new EnclaveIdentity
            {
                Id = JsonFields.String(root, "id", What),
                IssueDate = JsonFields.Date(root, "issueDate", What),
                NextUpdate = JsonFields.Date(root, "nextUpdate", What),
                MiscSelect = BinaryPrimitives.ReadUInt32BigEndian(JsonFields.Hex(root, "miscselect", What, 4)),
                MiscSelectMask = BinaryPrimitives.ReadUInt32BigEndian(JsonFields.Hex(root, "miscselectMask", What, 4)),
                Attributes = JsonFields.Hex(root, "attributes", What, 16),
                AttributesMask = JsonFields.Hex(root, "attributesMask", What, 16),
                MrSigner = JsonFields.Hex(root, "mrsigner", What, 32),
                IsvProdId = JsonFields.Int(root, "isvprodid", What),
                Levels = [.. JsonFields.Array(root, "tcbLevels", What)
                    .Select(l => new IsvSvnLevel(JsonFields.Int(JsonFields.Get(l, "tcb", What), "isvsvn", What), JsonFields.String(l, "tcbStatus", What), JsonFields.Advisories(l)))],
            };
        }
        catch (JsonException e)
        {
            throw IntelErrors.Collateral($"The QE identity is not valid JSON ({e.Message}).");
        }
    }
}
