using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

/// <summary>How the public origin is derived from configuration; pure functions.</summary>
public sealed class PublicOriginRulesTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080")]
    [InlineData("http://[::]:8080", "http://localhost:8080")]
    [InlineData("http://+:8080", "http://localhost:8080")]
    [InlineData("http://*:5000", "http://localhost:5000")]
    [InlineData("https://chat.example.org:443", "https://chat.example.org")]
    [InlineData("http://[::1]:41234", "http://[::1]:41234")]
    [InlineData("http://localhost:8080/voxora", "http://localhost:8080/voxora")]
    public void A_listen_address_becomes_a_base_url(string address, string expected) =>
        Assert.Equal(expected, PublicOrigin.FromListenAddress(address));

    [Theory]
    [InlineData("https://chat.example.org", true)]
    [InlineData("http://10.0.0.5:8080/voxora", true)]
    [InlineData("chat.example.org", false)]
    [InlineData("ftp://chat.example.org", false)]
    [InlineData("https://user:pw@chat.example.org", false)]
    [InlineData("https://chat.example.org/?a=b", false)]
    [InlineData("https://chat.example.org/#x", false)]
    public void The_public_url_must_be_a_plain_http_url(string value, bool valid) =>
        Assert.Equal(valid, PublicOrigin.Invalid(value) is null);
}
