using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Permissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "color",
                table: "roles",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "timeout_until",
                table: "community_members",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "permissions_synced",
                table: "channels",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    seq = table.Column<long>(type: "INTEGER", nullable: false),
                    actor_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    target_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    target_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    changes = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    prev_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "channel_overrides",
                columns: table => new
                {
                    channel_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    target_type = table.Column<int>(type: "INTEGER", nullable: false),
                    target_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    allow = table.Column<long>(type: "INTEGER", nullable: false),
                    deny = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_channel_overrides", x => new { x.channel_id, x.target_type, x.target_id });
                    table.ForeignKey(
                        name: "fk_channel_overrides_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "community_bans",
                columns: table => new
                {
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    actor_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_community_bans", x => new { x.community_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_community_bans_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_community_bans_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "member_roles",
                columns: table => new
                {
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    role_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_member_roles", x => new { x.community_id, x.user_id, x.role_id });
                    table.ForeignKey(
                        name: "fk_member_roles_community_members_community_id_user_id",
                        columns: x => new { x.community_id, x.user_id },
                        principalTable: "community_members",
                        principalColumns: new[] { "community_id", "user_id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_member_roles_roles_role_id",
                        column: x => x.role_id,
                        principalTable: "roles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pod_bans",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    actor_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pod_bans", x => x.user_id);
                    table.ForeignKey(
                        name: "fk_pod_bans_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pod_roles",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    permissions = table.Column<long>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    is_default = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pod_roles", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "reports",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    channel_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    message_author_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    message_content = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    reporter_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    resolver_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    resolved_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_reports", x => x.id);
                    table.ForeignKey(
                        name: "fk_reports_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_reports_users_reporter_id",
                        column: x => x.reporter_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pod_member_roles",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    role_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pod_member_roles", x => new { x.user_id, x.role_id });
                    table.ForeignKey(
                        name: "fk_pod_member_roles_pod_roles_role_id",
                        column: x => x.role_id,
                        principalTable: "pod_roles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_pod_member_roles_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_community_id_prev_hash",
                table: "audit_log",
                columns: new[] { "community_id", "prev_hash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_community_id_seq",
                table: "audit_log",
                columns: new[] { "community_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_channel_overrides_community_id",
                table: "channel_overrides",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_community_bans_user_id",
                table: "community_bans",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_member_roles_role_id",
                table: "member_roles",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "ix_pod_member_roles_role_id",
                table: "pod_member_roles",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "ix_reports_community_id_status",
                table: "reports",
                columns: new[] { "community_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_reports_message_id_reporter_id",
                table: "reports",
                columns: new[] { "message_id", "reporter_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_reports_reporter_id",
                table: "reports",
                column: "reporter_id");

            // Existing communities' @everyone gets the defaults new communities get (docs/permissions.md):
            // VIEW_CHANNEL, SEND_MESSAGES, SEND_ATTACHMENTS, READ_MESSAGE_HISTORY, ADD_REACTIONS, CREATE_INVITES,
            // EMBED_LINKS, SEND_MESSAGES_IN_THREADS, CREATE_THREADS, VOICE_CONNECT, VOICE_SPEAK, VOICE_VIDEO.
            migrationBuilder.Sql("UPDATE roles SET permissions = 73614367 WHERE is_everyone = 1 AND permissions = 0;");

            // The default pod role: POD_CREATE_COMMUNITY | POD_MANAGE_INVITES for every user.
            migrationBuilder.Sql("INSERT INTO pod_roles (id, name, permissions, position, is_default, created_at) VALUES ('prl_default', '@everyone', 9, 0, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));");

            // The audit log is append-only: the database itself refuses to change or remove a row.
            migrationBuilder.Sql("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_no_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_no_delete;");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "channel_overrides");

            migrationBuilder.DropTable(
                name: "community_bans");

            migrationBuilder.DropTable(
                name: "member_roles");

            migrationBuilder.DropTable(
                name: "pod_bans");

            migrationBuilder.DropTable(
                name: "pod_member_roles");

            migrationBuilder.DropTable(
                name: "reports");

            migrationBuilder.DropTable(
                name: "pod_roles");

            migrationBuilder.DropColumn(
                name: "color",
                table: "roles");

            migrationBuilder.DropColumn(
                name: "timeout_until",
                table: "community_members");

            migrationBuilder.DropColumn(
                name: "permissions_synced",
                table: "channels");
        }
    }
}
