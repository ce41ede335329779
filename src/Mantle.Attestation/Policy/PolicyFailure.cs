namespace Mantle.Attestation.Policy;

/// <summary>One reason why a policy refused claims: the claim, what the policy expected and what the evidence said.</summary>
/// <param name="Claim">The claim name (<c>tee</c>, <c>debug</c>, <c>tcb_status</c>, <c>measurement</c>, <c>sgx.isv_svn</c>, …).</param>
/// <param name="Expected">What the policy accepts, in words (for example <c>one of [sgx, tdx]</c> or <c>&gt;= 2</c>).</param>
/// <param name="Actual">The claim's value in the evidence, or <c>(absent)</c>.</param>
public sealed record PolicyFailure(string Claim, string Expected, string Actual)
{
    /// <summary>A sentence for people: <c>claim 'sgx.isv_svn' is 1 but the policy expects &gt;= 2</c>.</summary>
    public string Message => $"claim '{Claim}' is {Actual} but the policy expects {Expected}";

    /// <inheritdoc />
    public override string ToString() => Message;
}
