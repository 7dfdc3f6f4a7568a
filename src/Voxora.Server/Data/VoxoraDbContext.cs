using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Invites;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Moderation;
using Voxora.Server.Features.Pod;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Data;

/// <summary>
/// The one DbContext. Each feature owns its entities and their <c>IEntityTypeConfiguration</c>;
/// this class only gathers them and applies the naming and type conventions shared by both providers.
/// </summary>
public sealed class VoxoraDbContext(DbContextOptions<VoxoraDbContext> options) : DbContext(options)
{
    public DbSet<UserAccount> Users => Set<UserAccount>();
    public DbSet<LoginSession> Sessions => Set<LoginSession>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<Features.TwoFactor.TotpFactorEntity> TotpFactors => Set<Features.TwoFactor.TotpFactorEntity>();
    public DbSet<Features.TwoFactor.BackupCodeEntity> BackupCodes => Set<Features.TwoFactor.BackupCodeEntity>();
    public DbSet<Features.TwoFactor.MfaChallengeEntity> MfaChallenges => Set<Features.TwoFactor.MfaChallengeEntity>();
    public DbSet<Features.Passkeys.PasskeyEntity> Passkeys => Set<Features.Passkeys.PasskeyEntity>();
    public DbSet<Features.Passkeys.WebAuthnChallengeEntity> WebAuthnChallenges => Set<Features.Passkeys.WebAuthnChallengeEntity>();
    public DbSet<CommunityEntity> Communities => Set<CommunityEntity>();
    public DbSet<MemberEntity> Members => Set<MemberEntity>();
    public DbSet<RoleEntity> Roles => Set<RoleEntity>();
    public DbSet<ChannelEntity> Channels => Set<ChannelEntity>();
    public DbSet<InviteEntity> Invites => Set<InviteEntity>();
    public DbSet<MessageEntity> Messages => Set<MessageEntity>();
    public DbSet<ReactionEntity> Reactions => Set<ReactionEntity>();
    public DbSet<Features.Pins.MessagePinEntity> MessagePins => Set<Features.Pins.MessagePinEntity>();
    public DbSet<MemberRoleEntity> MemberRoles => Set<MemberRoleEntity>();
    public DbSet<ChannelOverrideEntity> ChannelOverrides => Set<ChannelOverrideEntity>();
    public DbSet<BanEntity> Bans => Set<BanEntity>();
    public DbSet<ReportEntity> Reports => Set<ReportEntity>();
    public DbSet<AuditEntryEntity> AuditLog => Set<AuditEntryEntity>();
    public DbSet<AuditSealEntity> AuditSeals => Set<AuditSealEntity>();
    public DbSet<PodRoleEntity> PodRoles => Set<PodRoleEntity>();
    public DbSet<PodMemberRoleEntity> PodMemberRoles => Set<PodMemberRoleEntity>();
    public DbSet<PodBanEntity> PodBans => Set<PodBanEntity>();
    public DbSet<PodSettingsEntity> PodSettings => Set<PodSettingsEntity>();
    public DbSet<Features.Voice.VoiceSessionEntity> VoiceSessions => Set<Features.Voice.VoiceSessionEntity>();
    public DbSet<Features.Threads.ThreadEntity> Threads => Set<Features.Threads.ThreadEntity>();
    public DbSet<Features.Threads.ThreadMemberEntity> ThreadMembers => Set<Features.Threads.ThreadMemberEntity>();
    public DbSet<Features.Attachments.AttachmentEntity> Attachments => Set<Features.Attachments.AttachmentEntity>();
    public DbSet<Features.Attachments.MediaKeyEntity> MediaKeys => Set<Features.Attachments.MediaKeyEntity>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset values stored as text, so every timestamp is
        // stored as UTC unix milliseconds there. PostgreSQL keeps its native timestamptz.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(VoxoraDbContext).Assembly);

        // snake_case tables and columns on both providers, so raw SQL and the two schemas read alike.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetName() ?? ""));
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetConstraintName() ?? ""));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName() ?? ""));
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.ToUnixTimeMilliseconds(),
        value => DateTimeOffset.FromUnixTimeMilliseconds(value));
}
