namespace Mantle.KeyBroker;

/// <summary>
/// One entry of the broker's append-only audit log. <see cref="Hash"/> is SHA-256 over the previous
/// entry's hash and this entry's fields (see <see cref="AuditChain"/>), so an edited or deleted entry breaks the chain.
/// </summary>
/// <param name="Seq">Position in the log, starting at 1 with no gaps.</param>
/// <param name="Time">When the entry was written (UTC, ISO 8601 with milliseconds).</param>
/// <param name="Actor">Who acted: <c>admin:&lt;subject&gt;</c>, <c>tee:&lt;key thumbprint&gt;</c> or <c>broker</c>.</param>
/// <param name="Action">What was done (<c>resource.put</c>, <c>resource.release</c>, <c>attest</c>, …).</param>
/// <param name="Subject">What it was done to (a resource path, a policy name, a session).</param>
/// <param name="Outcome"><c>ok</c> or <c>refused</c>.</param>
/// <param name="Details">Free text without secrets: versions, sizes, refusal reasons.</param>
/// <param name="PrevHash">Hex hash of the previous entry (64 zeros for the first).</param>
/// <param name="Hash">Hex hash of this entry.</param>
public sealed record AuditEntry(
    long Seq,
    string Time,
    string Actor,
    string Action,
    string Subject,
    string Outcome,
    string Details,
    string PrevHash,
    string Hash);
