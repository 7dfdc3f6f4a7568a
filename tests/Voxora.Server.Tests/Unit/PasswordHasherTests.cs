using Voxora.Server.Features.Auth;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class PasswordHasherTests
{
    private static PasswordHasher NewHasher(int memory = 19_456, int iterations = 2) =>
        new(new AuthOptions { Argon2MemoryKib = memory, Argon2Iterations = iterations });

    [Fact]
    public void Hash_is_argon2id_phc_with_the_configured_parameters_and_a_random_salt()
    {
        using var hasher = NewHasher();
        var first = hasher.Hash("correct horse");
        var second = hasher.Hash("correct horse");
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Verify_accepts_the_password_and_rejects_anything_else()
    {
        using var hasher = NewHasher();
        var hash = hasher.Hash("correct horse");
        Assert.True(hasher.Verify("correct horse", hash));
        Assert.False(hasher.Verify("correct horsE", hash));
        Assert.False(hasher.Verify("", hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA")]
    [InlineData("$argon2id$v=19$m=x,t=2,p=1$c2FsdHNhbHQ$aGFzaA")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$***$aGFzaA")]
    [InlineData("$argon2id$v=19$m=0,t=2,p=1$c2FsdHNhbHQ$aGFzaA")]
    public void Malformed_hashes_never_verify(string encoded)
    {
        using var hasher = NewHasher();
        Assert.False(hasher.Verify("anything", encoded));
    }

    [Fact]
    public void Hashes_made_with_weaker_parameters_still_verify_and_ask_for_a_rehash()
    {
        using var old = NewHasher(iterations: 2);
        var hash = old.Hash("correct horse");
        using var current = NewHasher(iterations: 3);
        Assert.True(current.Verify("correct horse", hash, out var needsRehash));
        Assert.True(needsRehash);
        Assert.True(old.Verify("correct horse", hash, out var same));
        Assert.False(same);
    }

    [Fact]
    public void The_dummy_hash_is_a_real_hash_nobody_can_match()
    {
        using var hasher = NewHasher();
        Assert.StartsWith("$argon2id$", hasher.DummyHash, StringComparison.Ordinal);
        Assert.False(hasher.Verify("", hasher.DummyHash));
    }
}
