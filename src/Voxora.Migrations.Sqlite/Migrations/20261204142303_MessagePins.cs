using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MessagePins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "type",
                table: "messages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "message_pins",
                columns: table => new
                {
                    message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    channel_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    pinned_by = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    pin_order = table.Column<long>(type: "INTEGER", nullable: false),
                    pinned_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_message_pins", x => x.message_id);
                    table.ForeignKey(
                        name: "fk_message_pins_messages_message_id",
                        column: x => x.message_id,
                        principalTable: "messages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_message_pins_users_pinned_by",
                        column: x => x.pinned_by,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_message_pins_channel_id_pin_order",
                table: "message_pins",
                columns: new[] { "channel_id", "pin_order" });

            migrationBuilder.CreateIndex(
                name: "ix_message_pins_pinned_by",
                table: "message_pins",
                column: "pinned_by");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_pins");

            migrationBuilder.DropColumn(
                name: "type",
                table: "messages");
        }
    }
}
