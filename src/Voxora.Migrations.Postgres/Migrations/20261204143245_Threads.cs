using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Threads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "threads",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    community_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    parent_channel_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    parent_message_id = table.Column<long>(type: "bigint", nullable: false),
                    owner_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    archived = table.Column<bool>(type: "boolean", nullable: false),
                    archived_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    auto_archive_seconds = table.Column<int>(type: "integer", nullable: false),
                    message_count = table.Column<int>(type: "integer", nullable: false),
                    last_message_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_activity_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    archive_due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_threads", x => x.id);
                    table.ForeignKey(
                        name: "fk_threads_channels_id",
                        column: x => x.id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_threads_channels_parent_channel_id",
                        column: x => x.parent_channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "thread_members",
                columns: table => new
                {
                    thread_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    user_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    joined_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_thread_members", x => new { x.thread_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_thread_members_threads_thread_id",
                        column: x => x.thread_id,
                        principalTable: "threads",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_thread_members_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_thread_members_user_id",
                table: "thread_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_threads_archived_archive_due_at",
                table: "threads",
                columns: new[] { "archived", "archive_due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_threads_parent_channel_id_archived_last_activity_at",
                table: "threads",
                columns: new[] { "parent_channel_id", "archived", "last_activity_at" });

            migrationBuilder.CreateIndex(
                name: "ix_threads_parent_message_id",
                table: "threads",
                column: "parent_message_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "thread_members");

            migrationBuilder.DropTable(
                name: "threads");
        }
    }
}
