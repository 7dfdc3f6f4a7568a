using Voxora.Server.Data;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class SmallRulesTests
{
    [Theory]
    [InlineData("Id", "id")]
    [InlineData("UsernameNormalized", "username_normalized")]
    [InlineData("PK_Users", "pk_users")]
    [InlineData("IX_Sessions_UserId_RevokedAt", "ix_sessions_user_id_revoked_at")]
    [InlineData("TokenHash", "token_hash")]
    public void Snake_case_names(string name, string expected) => Assert.Equal(expected, VoxoraDbContext.ToSnakeCase(name));

    [Fact]
    public void Ids_carry_their_prefix_and_sort_by_creation()
    {
        var first = Ids.New(Ids.User);
        Thread.Sleep(2);
        var second = Ids.New(Ids.User);
        Assert.StartsWith("usr_", first, StringComparison.Ordinal);
        Assert.True(Ids.IsWellFormed(first, Ids.User));
        Assert.False(Ids.IsWellFormed(first, Ids.Session));
        Assert.False(Ids.IsWellFormed("usr_nope", Ids.User));
        Assert.False(Ids.IsWellFormed(null, Ids.User));
        Assert.True(string.CompareOrdinal(first, second) < 0);
    }

    [Fact]
    public void Binding_errors_name_the_environment_variable()
    {
        var message = ServerOptions.DescribeBindingError("Failed to convert configuration value '12x' at 'AUTH:ACCESS_TOKEN_SECONDS' to type 'System.Int32'.");
        Assert.Equal("VOXORA_AUTH__ACCESS_TOKEN_SECONDS must be a whole number, not '12x'.", message);
        Assert.Equal("something else", ServerOptions.DescribeBindingError("something else"));
    }
}
