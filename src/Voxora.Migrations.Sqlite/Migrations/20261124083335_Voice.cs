using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Voice : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "voice_deaf",
                table: "community_members",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "voice_mute",
                table: "community_members",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "voice_sessions",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    channel_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    session_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    node_id = table.Column<int>(type: "INTEGER", nullable: false),
                    self_mute = table.Column<bool>(type: "INTEGER", nullable: false),
                    self_deaf = table.Column<bool>(type: "INTEGER", nullable: false),
                    server_mute = table.Column<bool>(type: "INTEGER", nullable: false),
                    server_deaf = table.Column<bool>(type: "INTEGER", nullable: false),
                    connected_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_voice_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_voice_sessions_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_voice_sessions_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_voice_sessions_channel_id",
                table: "voice_sessions",
                column: "channel_id");

            migrationBuilder.CreateIndex(
                name: "ix_voice_sessions_node_id",
                table: "voice_sessions",
                column: "node_id");

            migrationBuilder.CreateIndex(
                name: "ix_voice_sessions_user_id",
                table: "voice_sessions",
                column: "user_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "voice_sessions");

            migrationBuilder.DropColumn(
                name: "voice_deaf",
                table: "community_members");

            migrationBuilder.DropColumn(
                name: "voice_mute",
                table: "community_members");
        }
    }
}
