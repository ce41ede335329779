using Mantle.Cli.CommandLine;

namespace Mantle.Cli.Tests.CommandLine;

public sealed class OptionRulesTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("model.example.org")]
    [InlineData("*.example.org")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("10.0.0.7")]
    [InlineData("::1")]
    public void IsHostName_NamesCertificatesCarry_Accepted(string name) => Assert.True(OptionRules.IsHostName(name));

    [Theory]
    [InlineData("")]
    [InlineData("bad name")]
    [InlineData("under_score.example")]
    [InlineData("-leading.example")]
    [InlineData("a..b")]
    [InlineData("*")]
    [InlineData("https://model.example.org")]
    public void IsHostName_Others_Refused(string name) => Assert.False(OptionRules.IsHostName(name));

    [Fact]
    public void IsHostName_LabelOver63OrNameOver253_Refused()
    {
        Assert.False(OptionRules.IsHostName(new string('a', 64) + ".example"));
        Assert.False(OptionRules.IsHostName(string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".example"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8443", true)]
    [InlineData("https://broker.example", true)]
    [InlineData("notaurl", false)]
    [InlineData("broker.example:8443", false)]
    [InlineData("ftp://broker.example", false)]
    public void IsHttpUrl(string text, bool expected) => Assert.Equal(expected, OptionRules.IsHttpUrl(text));
}
