using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mantle.KeyBroker;

/// <summary>
/// Computes and checks the hash chain of the audit log. The hash of an entry is the lower-case hex
/// SHA-256 of the UTF-8 bytes of <c>prev_hash ‖ "\n" ‖ seq ‖ "\n" ‖ time ‖ "\n" ‖ actor ‖ "\n" ‖ action ‖ "\n" ‖ subject ‖ "\n" ‖ outcome ‖ "\n" ‖ details</c>,
/// each field with its newlines and backslashes escaped.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous-hash value of the first entry: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>Computes the hash of an entry from its fields and the previous hash.</summary>
    public static string ComputeHash(string prevHash, long seq, string time, string actor, string action, string subject, string outcome, string details)
    {
        var text = string.Join('\n',
            Escape(prevHash), seq.ToString(CultureInfo.InvariantCulture), Escape(time), Escape(actor),
            Escape(action), Escape(subject), Escape(outcome), Escape(details));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// Recomputes the chain over entries in order from the first. Returns the first problem found
    /// (a gap in sequence numbers, a previous hash that does not match, a hash that does not match the
    /// entry's fields), or success with the number of entries and the head hash.
    /// </summary>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var prev = GenesisHash;
        long expectedSeq = 1;
        long count = 0;
        foreach (var e in entries)
        {
            if (e.Seq != expectedSeq)
            {
                return AuditVerification.Broken(count, e.Seq,
                    $"entry {expectedSeq} is missing (next entry found is {e.Seq}): an entry was deleted");
            }

            if (!string.Equals(e.PrevHash, prev, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(count, e.Seq,
                    $"entry {e.Seq} names previous hash {e.PrevHash} but entry {e.Seq - 1} hashes to {prev}: an entry was edited, deleted or reordered");
            }

            var computed = ComputeHash(e.PrevHash, e.Seq, e.Time, e.Actor, e.Action, e.Subject, e.Outcome, e.Details);
            if (!string.Equals(computed, e.Hash, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(count, e.Seq,
                    $"entry {e.Seq} does not match its hash (stored {e.Hash}, computed {computed}): the entry was edited");
            }

            prev = e.Hash;
            expectedSeq++;
            count++;
        }

        return AuditVerification.Valid(count, prev);
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
