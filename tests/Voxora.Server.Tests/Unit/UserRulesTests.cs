using Voxora.Server.Features.Users;

namespace Voxora.Server.Tests.Unit;

public sealed class UserRulesTests
{
    [Theory]
    [InlineData("ab")]
    [InlineData("Alice")]
    [InlineData("a.b_c9")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Valid_usernames_pass(string username) => Assert.Null(UserRules.UsernameError(username));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("with space")]
    [InlineData("dash-name")]
    [InlineData("émile")]
    [InlineData("abc\u0000")]
    public void Invalid_usernames_fail(string? username) => Assert.NotNull(UserRules.UsernameError(username));

    [Fact]
    public void Password_length_counts_characters_not_bytes()
    {
        Assert.Null(UserRules.PasswordError("12345678"));
        Assert.NotNull(UserRules.PasswordError("1234567"));
        Assert.Null(UserRules.PasswordError(new string('x', 128)));
        Assert.NotNull(UserRules.PasswordError(new string('x', 129)));
        // Eight emoji are eight characters although they are sixteen UTF-16 units.
        Assert.Null(UserRules.PasswordError(string.Concat(Enumerable.Repeat("🎧", 8))));
        Assert.NotNull(UserRules.PasswordError(string.Concat(Enumerable.Repeat("🎧", 7))));
    }

    [Theory]
    [InlineData("a@b.co", true)]
    [InlineData("first.last+tag@example.org", true)]
    [InlineData("no-at-sign", false)]
    [InlineData("two@@example.org", false)]
    [InlineData("space in@example.org", false)]
    [InlineData("nodot@example", false)]
    public void Email_shape(string email, bool valid) => Assert.Equal(valid, UserRules.EmailError(email) is null);

    [Fact]
    public void Display_names_are_trimmed_and_blank_clears()
    {
        Assert.Null(UserRules.DisplayNameError("  Ada  ", out var trimmed));
        Assert.Equal("Ada", trimmed);
        Assert.Null(UserRules.DisplayNameError("   ", out var cleared));
        Assert.Null(cleared);
        Assert.NotNull(UserRules.DisplayNameError(new string('x', 33), out _));
        Assert.NotNull(UserRules.DisplayNameError("tab\tinside", out _));
    }
}
