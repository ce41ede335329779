using Mantle.Cli.CommandLine;

namespace Mantle.Cli.Tests.CommandLine;

public sealed class ParseErrorsTests
{
    [Fact]
    public void Describe_NearMissOfAnOption_SuggestsIt()
    {
        var error = Describe("keys", "create", "--ot", "k");

        Assert.Equal(CliErrorCodes.Usage, error.Code);
        Assert.StartsWith("unknown option '--ot' (did you mean --out?)", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("See 'mantle keys create --help'.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_GroupWithoutCommand_ListsItsCommands()
    {
        var error = Describe("broker", "keys");

        Assert.Equal("'mantle broker keys' needs a command: put. See 'mantle broker keys --help'.", error.Message);
    }

    [Fact]
    public void Describe_ValueThatDoesNotParse_SaysWhatWasExpected()
    {
        var error = Describe("bench", "--loop", "many");

        Assert.Equal("--loop", error.Option);
        Assert.StartsWith("--loop 'many' is not a whole number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ValueNotAmongTheChoices_ListsThem()
    {
        var error = Describe("attest", "evidence", "--tee", "tpm", "--report-data", "00", "--out", "x");

        Assert.StartsWith("--tee 'tpm' is not one of sgx, sim, snp, tdx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WantsJson_AnywhereOnTheLine()
    {
        var parse = MantleCommandLine.Create().Parse(["policy", "keygen", "--json"]);

        Assert.True(ParseErrors.WantsJson(parse));
    }

    private static CliError Describe(params string[] args)
    {
        var parse = MantleCommandLine.Create().Parse(args);
        Assert.NotEmpty(parse.Errors);
        return ParseErrors.Describe(parse);
    }
}
