namespace Mantle.Attestation.Providers;

/// <summary>What a configfs-tsm report entry returned.</summary>
/// <param name="OutBlob">The report or quote (<c>outblob</c>).</param>
/// <param name="AuxBlob">The auxiliary data (<c>auxblob</c>: the SEV-SNP certificate table), empty when none.</param>
/// <param name="Provider">The kernel provider that made it (<c>tdx_guest</c>, <c>sev_guest</c>).</param>
/// <param name="Generation">The entry's generation number when the report was read.</param>
public sealed record TsmReport(byte[] OutBlob, byte[] AuxBlob, string Provider, long Generation);
