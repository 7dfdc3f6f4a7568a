using System.Security.Cryptography;
using System.Text;

namespace Voxora.Server.Tests.Notifications;

/// <summary>The test's own RFC 8291 decryptor, checked against the RFC's worked example, so it can judge the server's pushes.</summary>
public sealed class WebPushDecryptorTests
{
    // RFC 8291, Appendix A.
    private const string UaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private const string UaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private const string AuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
    private const string Body =
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    private static ECDiffieHellman Receiver()
    {
        var point = WebPushDecryptor.FromBase64Url(UaPublic);
        return ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = WebPushDecryptor.FromBase64Url(UaPrivate),
            Q = new ECPoint { X = point[1..33], Y = point[33..] },
        });
    }

    [Fact]
    public void Decrypts_the_RFC_8291_appendix_A_example()
    {
        using var receiver = Receiver();
        var plaintext = WebPushDecryptor.Decrypt(WebPushDecryptor.FromBase64Url(Body), receiver, WebPushDecryptor.FromBase64Url(UaPublic),
            WebPushDecryptor.FromBase64Url(AuthSecret));
        Assert.Equal("When I grow up, I want to be a watermelon", Encoding.UTF8.GetString(plaintext));
    }

    [Fact]
    public void Refuses_a_tampered_body_or_the_wrong_auth_secret()
    {
        using var receiver = Receiver();
        var body = WebPushDecryptor.FromBase64Url(Body);
        body[^20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => WebPushDecryptor.Decrypt(body, receiver, WebPushDecryptor.FromBase64Url(UaPublic), WebPushDecryptor.FromBase64Url(AuthSecret)));
        Assert.ThrowsAny<CryptographicException>(() => WebPushDecryptor.Decrypt(WebPushDecryptor.FromBase64Url(Body), receiver,
            WebPushDecryptor.FromBase64Url(UaPublic), new byte[16]));
    }
}
