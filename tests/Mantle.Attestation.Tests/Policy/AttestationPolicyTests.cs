using Mantle.Attestation.Policy;

namespace Mantle.Attestation.Tests.Policy;

public class AttestationPolicyTests
{
    private const string Measurement = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf";

    private static AttestationClaims Claims(
        TeeType tee = TeeType.Sgx,
        bool debug = false,
        string tcb = "UpToDate",
        string measurement = Measurement,
        Dictionary<string, object>? teeClaims = null,
        string[]? advisories = null) => new()
        {
            Tee = tee,
            Measurement = measurement,
            Debug = debug,
            TcbStatus = tcb,
            ReportData = new byte[64],
            Svn = 3,
            AdvisoryIds = advisories ?? [],
            TeeClaims = teeClaims ?? new Dictionary<string, object> { ["sgx.isv_svn"] = 3L, ["sgx.mr_signer"] = "ABCDEF" },
        };

    [Fact]
    public void Evaluate_IssueExamplePolicy_AllowsMatchingClaims()
    {
        var policy = AttestationPolicy.Parse($$$$"""
            {"version": 1, "tees": ["sgx", "tdx"], "allow_debug": false, "tcb_status": ["UpToDate", "SWHardeningNeeded"],
             "claims": {"measurement": {"one_of": ["{{{{Measurement.ToUpperInvariant()}}}}"]}, "sgx.isv_svn": {"min": 2}, "snp.host_data": {"equals": "00"}}}
            """);

        var decision = policy.Evaluate(Claims(tcb: "SWHardeningNeeded"));

        Assert.True(decision.Allowed, decision.Reason);
        Assert.Empty(decision.Failures);
        Assert.Equal([TeeType.Sgx, TeeType.Tdx], policy.Tees);
    }

    [Fact]
    public void Evaluate_DefaultPolicy_RefusesSimNamingTee()
    {
        var decision = AttestationPolicy.Default.Evaluate(Claims(tee: TeeType.Sim));

        var failure = Assert.Single(decision.Failures);
        Assert.Equal("tee", failure.Claim);
        Assert.Equal("'sim'", failure.Actual);
        Assert.Contains("one of [sgx, tdx, snp]", failure.Expected, StringComparison.Ordinal);
        Assert.Contains("list \"sim\"", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SimListed_AllowsSim()
    {
        var policy = AttestationPolicy.Parse("""{"version": 1, "tees": ["sim"]}""");

        Assert.True(policy.Evaluate(Claims(tee: TeeType.Sim)).Allowed);
        Assert.False(policy.Evaluate(Claims(tee: TeeType.Sgx)).Allowed);
    }

    [Fact]
    public void Evaluate_DebugWithoutAllowDebug_IsRefused()
    {
        var decision = AttestationPolicy.Default.Evaluate(Claims(debug: true));

        var failure = Assert.Single(decision.Failures);
        Assert.Equal("debug", failure.Claim);
        Assert.Equal("true", failure.Actual);
        Assert.Contains("allow_debug", failure.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_DebugWithAllowDebug_IsAllowed()
    {
        var policy = AttestationPolicy.Parse("""{"version": 1, "allow_debug": true}""");

        Assert.True(policy.Evaluate(Claims(debug: true)).Allowed);
    }

    [Theory]
    [InlineData("SWHardeningNeeded")]
    [InlineData("OutOfDate")]
    [InlineData("ConfigurationAndSWHardeningNeeded")]
    [InlineData("Revoked")]
    public void Evaluate_DefaultTcbPolicy_AcceptsOnlyUpToDate(string status)
    {
        Assert.True(AttestationPolicy.Default.Evaluate(Claims()).Allowed);

        var failure = Assert.Single(AttestationPolicy.Default.Evaluate(Claims(tcb: status)).Failures);

        Assert.Equal("tcb_status", failure.Claim);
        Assert.Equal("one of [UpToDate]", failure.Expected);
        Assert.Equal($"'{status}'", failure.Actual);
    }

    [Fact]
    public void Evaluate_MeasurementNotListed_NamesExpectedAndActual()
    {
        var policy = AttestationPolicy.Parse("""{"version": 1, "claims": {"measurement": {"one_of": ["00ff", "11ee"]}}}""");

        var failure = Assert.Single(policy.Evaluate(Claims()).Failures);

        Assert.Equal("measurement", failure.Claim);
        Assert.Equal("one of ['00ff', '11ee']", failure.Expected);
        Assert.Equal($"'{Measurement}'", failure.Actual);
        Assert.Equal($"claim 'measurement' is '{Measurement}' but the policy expects one of ['00ff', '11ee']", failure.Message);
    }

    [Fact]
    public void Evaluate_SvnBelowMin_IsRefused()
    {
        var policy = AttestationPolicy.Parse("""{"version": 1, "claims": {"sgx.isv_svn": {"min": 4}, "svn": {"min": 1, "max": 2}}}""");

        var failures = policy.Evaluate(Claims()).Failures;

        Assert.Equal(2, failures.Count);
        Assert.Equal(new PolicyFailure("sgx.isv_svn", ">= 4", "3"), failures[0]);
        Assert.Equal(new PolicyFailure("svn", ">= 1 and <= 2", "3"), failures[1]);
    }

    [Fact]
    public void Evaluate_EqualsHexIgnoresCase_ButOtherStringsDoNot()
    {
        var hex = AttestationPolicy.Parse("""{"version": 1, "claims": {"sgx.mr_signer": {"equals": "abcdef"}}}""");
        var wrong = AttestationPolicy.Parse("""{"version": 1, "claims": {"sgx.mr_signer": {"equals": "abcdee"}}}""");
        var word = AttestationPolicy.Parse("""{"version": 1, "claims": {"tcb_status": {"equals": "uptodate"}}}""");

        Assert.True(hex.Evaluate(Claims()).Allowed);
        var failure = Assert.Single(wrong.Evaluate(Claims()).Failures);
        Assert.Equal(new PolicyFailure("sgx.mr_signer", "'abcdee'", "'ABCDEF'"), failure);
        Assert.False(word.Evaluate(Claims()).Allowed);
    }

    [Fact]
    public void Evaluate_AbsentClaim_IsRefusedAsAbsent()
    {
        var policy = AttestationPolicy.Parse("""{"version": 1, "claims": {"signer": {"equals": "00"}}}""");

        var failure = Assert.Single(policy.Evaluate(Claims()).Failures);

        Assert.Equal(new PolicyFailure("signer", "'00'", "(absent)"), failure);
    }

    [Fact]
    public void Evaluate_RuleForOtherTee_DoesNotApply()
    {
        var policy = AttestationPolicy.Parse("""{"version": 1, "tees": ["sgx", "snp"], "claims": {"snp.host_data": {"equals": "00"}}}""");

        Assert.True(policy.Evaluate(Claims(tee: TeeType.Sgx)).Allowed);
        var failure = Assert.Single(policy.Evaluate(Claims(tee: TeeType.Snp, teeClaims: [])).Failures);
        Assert.Equal("snp.host_data", failure.Claim);
    }

    [Fact]
    public void Evaluate_AdvisoryNoneOf_RefusesListedAdvisory()
    {
        var policy = AttestationPolicy.Parse("""{"version": 1, "claims": {"advisory_ids": {"none_of": ["INTEL-SA-00615"]}}}""");

        Assert.True(policy.Evaluate(Claims(advisories: ["INTEL-SA-00334"])).Allowed);
        var failure = Assert.Single(policy.Evaluate(Claims(advisories: ["INTEL-SA-00334", "INTEL-SA-00615"])).Failures);
        Assert.Equal("none of ['INTEL-SA-00615']", failure.Expected);
        Assert.Equal("['INTEL-SA-00334', 'INTEL-SA-00615']", failure.Actual);
    }

    [Fact]
    public void Evaluate_SeveralViolations_ReportsEach()
    {
        var policy = AttestationPolicy.Parse("""{"version": 1, "claims": {"measurement": {"equals": "00"}}}""");

        var decision = policy.Evaluate(Claims(tee: TeeType.Sim, debug: true, tcb: "OutOfDate"));

        Assert.False(decision.Allowed);
        Assert.Equal(["tee", "debug", "tcb_status", "measurement"], decision.Failures.Select(f => f.Claim));
        var error = Assert.Throws<AttestationException>(decision.ThrowIfDenied);
        Assert.Equal(AttestationErrorCode.PolicyViolation, error.Code);
        Assert.Contains("claim 'tcb_status' is 'OutOfDate'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"version": 1, "tee": ["sgx"]}""", "$.tee")]
    [InlineData("""{"tees": ["sgx"]}""", "$.version")]
    [InlineData("""{"version": 2}""", "$.version")]
    [InlineData("""{"version": 1, "tees": ["sgx", "tpm"]}""", "$.tees[1]")]
    [InlineData("""{"version": 1, "tees": []}""", "$.tees")]
    [InlineData("""{"version": 1, "tees": "sgx"}""", "$.tees")]
    [InlineData("""{"version": 1, "allow_debug": "no"}""", "$.allow_debug")]
    [InlineData("""{"version": 1, "tcb_status": ["UpToDate", "Fine"]}""", "$.tcb_status[1]")]
    [InlineData("""{"version": 1, "claims": {"measurement": {"oneof": ["00"]}}}""", "$.claims['measurement'].oneof")]
    [InlineData("""{"version": 1, "claims": {"sgx.isv_svn": {"min": "2"}}}""", "$.claims['sgx.isv_svn'].min")]
    [InlineData("""{"version": 1, "claims": {"sgx.isv_svn": {"min": 2.5}}}""", "$.claims['sgx.isv_svn'].min")]
    [InlineData("""{"version": 1, "claims": {"measurment": {"equals": "00"}}}""", "$.claims['measurment']")]
    [InlineData("""{"version": 1, "claims": {"tpm.pcr0": {"equals": "00"}}}""", "$.claims['tpm.pcr0']")]
    [InlineData("""{"version": 1, "claims": {"measurement": {}}}""", "$.claims['measurement']")]
    [InlineData("""{"version": 1, "claims": {"measurement": {"one_of": [null]}}}""", "$.claims['measurement'].one_of[0]")]
    [InlineData("""{"version": 1, "version": 1}""", "$.version")]
    [InlineData("""{"version": 1,""", "$")]
    [InlineData("""[]""", "$")]
    public void Parse_MalformedPolicy_ThrowsInvalidPolicyNamingPath(string json, string path)
    {
        var error = Assert.Throws<AttestationException>(() => AttestationPolicy.Parse(json));

        Assert.Equal(AttestationErrorCode.InvalidPolicy, error.Code);
        Assert.Contains($" {path} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_File_ParsesAndKeepsJson()
    {
        using var temp = new TempFolder();
        var json = """{"version": 1, "tees": ["sim"], "allow_debug": true}""";
        File.WriteAllText(temp.Combine("p.json"), json);

        var policy = AttestationPolicy.Load(temp.Combine("p.json"));

        Assert.Equal(json, policy.Json);
        Assert.True(policy.AllowDebug);
        Assert.Equal(["UpToDate"], policy.TcbStatuses);
    }

    [Fact]
    public void Load_MissingFile_ThrowsInvalidPolicy()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<AttestationException>(() => AttestationPolicy.Load(temp.Combine("none.json")));

        Assert.Equal(AttestationErrorCode.InvalidPolicy, error.Code);
    }
}
