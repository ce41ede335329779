using System.Text.Json;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>A TCB level of a TCB info (v2 flat component names or v3 component arrays).</summary>
internal sealed record TcbLevel(int[] SgxComponents, int PceSvn, int[]? TdxComponents, string Status, string[] Advisories);

/// <summary>A TCB level of a TDX module identity or a QE identity: one ISV SVN.</summary>
internal sealed record IsvSvnLevel(int IsvSvn, string Status, string[] Advisories);

/// <summary>A TDX module identity of a TCB info v3 (<c>tdxModuleIdentities</c>).</summary>
internal sealed record TdxModuleIdentity(string Id, byte[] MrSigner, byte[] Attributes, byte[] AttributesMask, IsvSvnLevel[] Levels);

/// <summary>Intel TCB info (PCS <c>tcbInfo</c>, version 2 or 3, SGX or TDX).</summary>
internal sealed class TcbInfo
{
    private const string What = "TCB info";

    public required string Id { get; init; }

    public required int Version { get; init; }

    public required DateTimeOffset IssueDate { get; init; }

    public required DateTimeOffset NextUpdate { get; init; }

    public required string Fmspc { get; init; }

    public required string PceId { get; init; }

    public required int EvaluationDataNumber { get; init; }

    public TdxModuleIdentity? TdxModule { get; init; }

    public IReadOnlyList<TdxModuleIdentity> TdxModuleIdentities { get; init; } = [];

    public required IReadOnlyList<TcbLevel> Levels { get; init; }

    public static TcbInfo Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw IntelErrors.Collateral($"The TCB info is not valid JSON ({e.Message}).");
        }
    }

    private static TcbInfo Parse(JsonElement root)
    {
        var version = JsonFields.Int(root, "version", What);
        if (version is not (2 or 3))
        {
            throw IntelErrors.Collateral($"TCB info version {version} is not supported (2 or 3). Fetch TCB info from the PCS v3 or v4 API.");
        }

        var id = version >= 3 ? JsonFields.String(root, "id", What) : "SGX";
        var tcbType = JsonFields.Int(root, "tcbType", What);
        if (tcbType != 0)
        {
            throw IntelErrors.Collateral($"TCB info tcbType {tcbType} is not supported (0).");
        }

        var levels = new List<TcbLevel>();
        foreach (var level in JsonFields.Array(root, "tcbLevels", What))
        {
            levels.Add(ParseLevel(level, version));
        }

        TdxModuleIdentity? module = null;
        var identities = new List<TdxModuleIdentity>();
        if (id == "TDX")
        {
            var moduleElement = JsonFields.Get(root, "tdxModule", What);
            module = ParseModule(moduleElement, "TDX module", []);
            if (root.TryGetProperty("tdxModuleIdentities", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var identity in list.EnumerateArray())
                {
                    var levelsOfModule = JsonFields.Array(identity, "tcbLevels", What)
                        .Select(l => new IsvSvnLevel(JsonFields.Int(JsonFields.Get(l, "tcb", What), "isvsvn", What), JsonFields.String(l, "tcbStatus", What), JsonFields.Advisories(l)))
                        .ToArray();
                    identities.Add(ParseModule(identity, JsonFields.String(identity, "id", What), levelsOfModule));
                }
            }
        }

        return new TcbInfo
        {
            Id = id,
            Version = version,
            IssueDate = JsonFields.Date(root, "issueDate", What),
            NextUpdate = JsonFields.Date(root, "nextUpdate", What),
            Fmspc = JsonFields.String(root, "fmspc", What).ToUpperInvariant(),
            PceId = JsonFields.String(root, "pceId", What).ToUpperInvariant(),
            EvaluationDataNumber = JsonFields.Int(root, "tcbEvaluationDataNumber", What),
            TdxModule = module,
            TdxModuleIdentities = identities,
            Levels = levels,
        };
    }

    private static TdxModuleIdentity ParseModule(JsonElement element, string id, IsvSvnLevel[] levels) =>
        new(id, JsonFields.Hex(element, "mrsigner", What, 48), JsonFields.Hex(element, "attributes", What, 8), JsonFields.Hex(element, "attributesMask", What, 8), levels);

    private static TcbLevel ParseLevel(JsonElement level, int version)
    {
        var tcb = JsonFields.Get(level, "tcb", What);
        var sgx = new int[16];
        int[]? tdx = null;
        if (version == 2)
        {
            for (var i = 0; i < 16; i++)
            {
                sgx[i] = JsonFields.Int(tcb, $"sgxtcbcomp{i + 1:00}svn", What);
            }
        }
        else
        {
            sgx = ReadComponents(tcb, "sgxtcbcomponents");
            if (tcb.TryGetProperty("tdxtcbcomponents", out _))
            {
                tdx = ReadComponents(tcb, "tdxtcbcomponents");
            }
        }

        return new TcbLevel(sgx, JsonFields.Int(tcb, "pcesvn", What), tdx, JsonFields.String(level, "tcbStatus", What), JsonFields.Advisories(level));
    }

    private static int[] ReadComponents(JsonElement tcb, string name)
    {
        var components = JsonFields.Array(tcb, name, What).Select(c => JsonFields.Int(c, "svn", What)).ToArray();
        return components.Length == 16
            ? components
            : throw IntelErrors.Collateral($"The TCB info '{name}' has {components.Length} entries instead of 16.");
    }
}
