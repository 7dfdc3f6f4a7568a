using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MessageRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "message_retention_days",
                table: "communities",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "retention_swept_at",
                table: "communities",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "message_retention_days",
                table: "communities");

            migrationBuilder.DropColumn(
                name: "retention_swept_at",
                table: "communities");
        }
    }
}
