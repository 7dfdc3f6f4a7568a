using Microsoft.Extensions.Logging.Abstractions;
using Voxora.Server.Features.Audit;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class AuditRulesTests
{
    [Theory]
    [InlineData(null, null, true)]
    [InlineData("c2hvcnQ=", null, false)]
    [InlineData("not base64 at all!", null, false)]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", null, true)]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "/etc/voxora/audit.key", false)]
    [InlineData(null, "/etc/voxora/audit.key", true)]
    public void Audit_key_settings(string? key, string? keyFile, bool valid) =>
        Assert.Equal(valid, !new AuditOptions { Key = key, KeyFile = keyFile }.Validate().Any());

    [Fact]
    public void The_default_key_file_is_created_once_and_private_to_its_owner()
    {
        var dir = Directory.CreateTempSubdirectory("voxora-audit-").FullName;
        try
        {
            var options = new ServerOptions { DataDir = dir };
            var first = AuditKey.Load(options, NullLogger.Instance);
            var path = Path.Combine(dir, AuditKey.DefaultFileName);
            Assert.True(File.Exists(path));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            var second = AuditKey.Load(options, NullLogger.Instance);
            Assert.Equal(first.Mac("x"u8), second.Mac("x"u8));
            Assert.NotEqual(first.Mac("x"u8), AuditKey.FromBytes(new byte[32]).Mac("x"u8));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_named_key_file_must_exist()
    {
        var options = new ServerOptions { DataDir = Path.GetTempPath(), Audit = new AuditOptions { KeyFile = "/nonexistent/voxora/audit.key" } };
        var error = Assert.Throws<ConfigurationErrorException>(() => AuditKey.Load(options, NullLogger.Instance));
        Assert.Contains("VOXORA_AUDIT__KEY_FILE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoints_survive_a_restart_and_never_move_back()
    {
        var dir = Directory.CreateTempSubdirectory("voxora-audit-").FullName;
        try
        {
            var options = new ServerOptions { DataDir = dir };
            var checkpoints = new AuditCheckpoints(options, NullLogger<AuditCheckpoints>.Instance);
            Assert.False(checkpoints.Any);
            checkpoints.Advance("com_a", 2, "h2");
            checkpoints.Advance("com_a", 1, "h1");
            checkpoints.Advance("pod", 7, "h7");

            var reloaded = new AuditCheckpoints(options, NullLogger<AuditCheckpoints>.Instance);
            Assert.Equal(new AuditCheckpoint(2, "h2"), reloaded.For("com_a"));
            Assert.Equal(new AuditCheckpoint(7, "h7"), reloaded.For("pod"));
            Assert.Null(reloaded.For("com_b"));

            File.WriteAllText(Path.Combine(dir, AuditCheckpoints.FileName), "{ not json");
            var afterDamage = new AuditCheckpoints(options, NullLogger<AuditCheckpoints>.Instance);
            Assert.False(afterDamage.Any);
            Assert.True(File.Exists(Path.Combine(dir, AuditCheckpoints.FileName + ".damaged")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
