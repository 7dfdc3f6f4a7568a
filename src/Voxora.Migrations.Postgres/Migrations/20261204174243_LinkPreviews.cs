using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class LinkPreviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "embeds",
                table: "messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "embeds_suppressed",
                table: "messages",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "embeds",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "embeds_suppressed",
                table: "messages");
        }
    }
}
