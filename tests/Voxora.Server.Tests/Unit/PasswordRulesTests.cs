using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class PasswordRulesTests
{
    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    [Fact]
    public void Length_is_counted_in_code_points()
    {
        Assert.Null(PasswordRules.Error(Repeat("😀", 128)));          // 128 code points, 256 UTF-16 units
        Assert.NotNull(PasswordRules.Error(Repeat("😀", 129)));
        Assert.Null(PasswordRules.Error(Repeat("👍🏽", 64)));          // 64 graphemes, 128 code points
        Assert.NotNull(PasswordRules.Error(Repeat("👍🏽", 65)));       // 65 graphemes, 130 code points
        Assert.Null(PasswordRules.Error(Repeat("😀", 8)));
        Assert.NotNull(PasswordRules.Error(Repeat("😀", 7)));
        Assert.Equal(1, PasswordRules.CodePoints("😀"));
    }

    [Fact]
    public void Text_is_compared_exactly_as_sent()
    {
        // No normalisation: 128 "e" + combining accent are 256 code points, and the two spellings of "é" differ.
        Assert.NotNull(PasswordRules.Error(Repeat("e\u0301", 128)));
        Assert.Null(PasswordRules.Error(Repeat("e\u0301", 64)));
        using var hasher = new PasswordHasher(new AuthOptions());
        var hash = hasher.Hash("cafe\u0301 latte");
        Assert.True(hasher.Check("cafe\u0301 latte", hash, out _));
        Assert.False(hasher.Check("caf\u00e9 latte", hash, out _));
    }

    [Fact]
    public void Malformed_and_over_long_input_is_refused()
    {
        Assert.NotNull(PasswordRules.Error(null));
        Assert.NotNull(PasswordRules.Error(""));
        Assert.NotNull(PasswordRules.Error("abcdefgh\ud800"));        // a lone surrogate
        Assert.NotNull(PasswordRules.Error(new string('a', 100_000)));
    }

    [Fact]
    public void Presented_passwords_that_cannot_match_are_recognised_without_cutting()
    {
        Assert.False(PasswordRules.MayMatch(Repeat("😀", 128) + "x"));
        Assert.False(PasswordRules.MayMatch(new string('a', 300)));
        Assert.False(PasswordRules.MayMatch(null));
        Assert.False(PasswordRules.MayMatch(""));
        Assert.True(PasswordRules.MayMatch(Repeat("😀", 128)));
        Assert.True(PasswordRules.MayMatch("correct horse"));
    }

    [Fact]
    public void Every_accepted_password_verifies_after_hashing()
    {
        using var hasher = new PasswordHasher(new AuthOptions());
        foreach (var password in new[] { Repeat("😀", 128), Repeat("👍🏽", 64), "correct horse" })
        {
            Assert.Null(PasswordRules.Error(password));
            var hash = hasher.Hash(password);
            Assert.True(hasher.Check(password, hash, out var rehash));
            Assert.False(rehash);
            Assert.False(hasher.Check(password + "x", hash, out _));
            Assert.False(hasher.Check(password, null, out _)); // unknown user
        }
    }
}
