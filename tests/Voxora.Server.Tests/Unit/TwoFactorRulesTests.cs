using System.Text;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.TwoFactor;

namespace Voxora.Server.Tests.Unit;

public sealed class TwoFactorRulesTests
{
    // RFC 6238 Appendix B, SHA-1 key "12345678901234567890"; the 6-digit code is the last 6 of the 8 listed.
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1111111111L, "050471")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    [InlineData(20000000000L, "353130")]
    public void Codes_match_the_RFC_6238_test_vectors(long unixSeconds, string expected)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        Assert.Equal(expected, TotpCodes.Compute(RfcSecret, at));
        Assert.Equal(unixSeconds / 30, TotpCodes.MatchStep(RfcSecret, expected, at));
    }

    [Fact]
    public void A_code_is_accepted_one_step_either_side_and_no_further()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1111111109); // step 37037036
        var code = TotpCodes.Compute(RfcSecret, at);
        Assert.Equal(37037036, TotpCodes.MatchStep(RfcSecret, code, at.AddSeconds(-30)));
        Assert.Equal(37037036, TotpCodes.MatchStep(RfcSecret, code, at.AddSeconds(30)));
        Assert.Null(TotpCodes.MatchStep(RfcSecret, code, at.AddSeconds(-60)));
        Assert.Null(TotpCodes.MatchStep(RfcSecret, code, at.AddSeconds(60)));
        Assert.Null(TotpCodes.MatchStep(RfcSecret, "000000" == code ? "111111" : "000000", at));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    [InlineData("１２３４５６")] // full-width digits are not ASCII digits
    public void Malformed_codes_are_not_codes(string? code)
    {
        Assert.False(TotpCodes.IsWellFormed(code));
        if (code is not null)
        {
            Assert.Null(TotpCodes.MatchStep(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(59)));
        }
    }

    [Fact]
    public void The_otpauth_uri_carries_the_secret_issuer_and_parameters()
    {
        var uri = TotpCodes.OtpauthUri(RfcSecret, "Voxora (chat.example.org)", "alice");
        Assert.Equal(
            "otpauth://totp/Voxora%20%28chat.example.org%29:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Voxora%20%28chat.example.org%29&algorithm=SHA1&digits=6&period=30",
            uri);
    }

    [Fact]
    public void Backup_codes_are_eight_unambiguous_codes_of_eight()
    {
        var codes = BackupCodes.Generate();
        Assert.Equal(8, codes.Count);
        Assert.Equal(8, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[2-9A-HJKMNP-Z]{8}$", c));
        Assert.All(codes, c => Assert.Equal(c, BackupCodes.Normalize(BackupCodes.Display(c))));
    }

    [Theory]
    [InlineData("ABCD-EFGH", "ABCDEFGH")]
    [InlineData("abcdefgh", "ABCDEFGH")]
    [InlineData(" abcd efgh ", "ABCDEFGH")]
    [InlineData("aBcD-eFgH", "ABCDEFGH")]
    [InlineData("ABCD-EFG", null)]
    [InlineData("ABCD-EFGHJ", null)]
    [InlineData("ABCD-EFG0", null)] // 0 is not in the alphabet (looks like O)
    [InlineData("ABCD_EFGH", null)]
    [InlineData(null, null)]
    public void Backup_codes_are_read_in_any_case_with_or_without_the_dash(string? typed, string? canonical) =>
        Assert.Equal(canonical, BackupCodes.Normalize(typed));

    [Fact]
    public void Sealed_secrets_open_only_for_their_user_purpose_and_key()
    {
        var protector = new MfaSecretProtector(AuditKey.FromBytes(new byte[32]));
        var sealedSecret = protector.Protect("usr_a", SecondFactor.SecretPurpose, RfcSecret);
        Assert.Equal(RfcSecret, protector.Unprotect("usr_a", SecondFactor.SecretPurpose, sealedSecret));
        Assert.Equal(-1, sealedSecret.AsSpan().IndexOf(RfcSecret));

        Assert.Null(protector.Unprotect("usr_b", SecondFactor.SecretPurpose, sealedSecret));
        Assert.Null(protector.Unprotect("usr_a", SecondFactor.BackupCodesPurpose, sealedSecret));
        Assert.Null(new MfaSecretProtector(AuditKey.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray())).Unprotect("usr_a", SecondFactor.SecretPurpose, sealedSecret));

        var tampered = (byte[])sealedSecret.Clone();
        tampered[^1] ^= 1;
        Assert.Null(protector.Unprotect("usr_a", SecondFactor.SecretPurpose, tampered));
        Assert.Null(protector.Unprotect("usr_a", SecondFactor.SecretPurpose, [1, 2, 3]));
    }
}
