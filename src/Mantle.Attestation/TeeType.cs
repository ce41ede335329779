namespace Mantle.Attestation;

/// <summary>A kind of trusted execution environment.</summary>
public enum TeeType
{
    /// <summary>Mantle's simulated TEE: no hardware protection, for development and CI only.</summary>
    Sim,

    /// <summary>Intel SGX enclave (DCAP quote).</summary>
    Sgx,

    /// <summary>Intel TDX trust domain (DCAP quote).</summary>
    Tdx,

    /// <summary>AMD SEV-SNP guest (attestation report).</summary>
    Snp,
}
