using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Passkeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "passkeys",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    credential_id = table.Column<byte[]>(type: "BLOB", maxLength: 1023, nullable: false),
                    public_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                    sign_count = table.Column<long>(type: "INTEGER", nullable: false),
                    transports = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    backup_eligible = table.Column<bool>(type: "INTEGER", nullable: false),
                    backed_up = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_passkeys", x => x.id);
                    table.ForeignKey(
                        name: "fk_passkeys_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "webauthn_challenges",
                columns: table => new
                {
                    challenge_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    purpose = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    options_json = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webauthn_challenges", x => x.challenge_hash);
                    table.ForeignKey(
                        name: "fk_webauthn_challenges_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_passkeys_credential_id",
                table: "passkeys",
                column: "credential_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_passkeys_user_id",
                table: "passkeys",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_webauthn_challenges_expires_at",
                table: "webauthn_challenges",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_webauthn_challenges_user_id",
                table: "webauthn_challenges",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "passkeys");

            migrationBuilder.DropTable(
                name: "webauthn_challenges");
        }
    }
}
