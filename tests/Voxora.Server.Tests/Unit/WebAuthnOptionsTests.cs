using Voxora.Server.Features.Passkeys;

namespace Voxora.Server.Tests.Unit;

public sealed class WebAuthnOptionsTests
{
    [Theory]
    [InlineData(null, null, true)]
    [InlineData("chat.example.org", "https://chat.example.org", true)]
    [InlineData("example.org", "https://chat.example.org, https://app.example.org/", true)]
    [InlineData("localhost", "http://localhost:8080", true)]
    [InlineData("https://chat.example.org", null, false)]
    [InlineData("chat.example.org:443", null, false)]
    [InlineData(null, "chat.example.org", false)]
    [InlineData(null, "https://chat.example.org/app", false)]
    [InlineData(null, "ftp://chat.example.org", false)]
    public void Relying_party_id_and_origins_are_checked_at_startup(string? rpId, string? origins, bool valid) =>
        Assert.Equal(valid, !new WebAuthnOptions { RpId = rpId, Origins = origins }.Validate().Any());

    [Fact]
    public void Origins_are_split_on_commas_trimmed_and_without_a_trailing_slash() =>
        Assert.Equal(["https://chat.example.org", "https://app.example.org"],
            new WebAuthnOptions { Origins = " https://chat.example.org/ ,https://app.example.org,," }.OriginList);
}
