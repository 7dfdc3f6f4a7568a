using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class NotificationsAndPush : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "channel_notification_settings",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    channel_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    level = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    muted_until = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_channel_notification_settings", x => new { x.user_id, x.channel_id });
                    table.ForeignKey(
                        name: "fk_channel_notification_settings_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_channel_notification_settings_community_members_community_id_user_id",
                        columns: x => new { x.community_id, x.user_id },
                        principalTable: "community_members",
                        principalColumns: new[] { "community_id", "user_id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "community_notification_settings",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    level = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    muted_until = table.Column<long>(type: "INTEGER", nullable: true),
                    suppress_everyone = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_community_notification_settings", x => new { x.user_id, x.community_id });
                    table.ForeignKey(
                        name: "fk_community_notification_settings_community_members_community_id_user_id",
                        columns: x => new { x.community_id, x.user_id },
                        principalTable: "community_members",
                        principalColumns: new[] { "community_id", "user_id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notification_preferences",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    show_previews = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notification_preferences", x => x.user_id);
                    table.ForeignKey(
                        name: "fk_notification_preferences_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "push_subscriptions",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    endpoint = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    p256dh = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    auth = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_push_subscriptions", x => x.id);
                    table.ForeignKey(
                        name: "fk_push_subscriptions_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "vapid_keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    private_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vapid_keys", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_channel_notification_settings_channel_id",
                table: "channel_notification_settings",
                column: "channel_id");

            migrationBuilder.CreateIndex(
                name: "ix_channel_notification_settings_community_id_user_id",
                table: "channel_notification_settings",
                columns: new[] { "community_id", "user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_community_notification_settings_community_id",
                table: "community_notification_settings",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_community_notification_settings_community_id_user_id",
                table: "community_notification_settings",
                columns: new[] { "community_id", "user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_push_subscriptions_endpoint",
                table: "push_subscriptions",
                column: "endpoint",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_push_subscriptions_user_id",
                table: "push_subscriptions",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "channel_notification_settings");

            migrationBuilder.DropTable(
                name: "community_notification_settings");

            migrationBuilder.DropTable(
                name: "notification_preferences");

            migrationBuilder.DropTable(
                name: "push_subscriptions");

            migrationBuilder.DropTable(
                name: "vapid_keys");
        }
    }
}
