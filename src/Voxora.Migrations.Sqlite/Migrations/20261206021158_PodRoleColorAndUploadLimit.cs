using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PodRoleColorAndUploadLimit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "max_upload_bytes",
                table: "pod_settings",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "color",
                table: "pod_roles",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "max_upload_bytes",
                table: "pod_settings");

            migrationBuilder.DropColumn(
                name: "color",
                table: "pod_roles");
        }
    }
}
