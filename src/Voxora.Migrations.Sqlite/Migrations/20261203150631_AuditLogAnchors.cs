using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AuditLogAnchors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_log_seals",
                columns: table => new
                {
                    community_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    last_seq = table.Column<long>(type: "INTEGER", nullable: false),
                    last_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    mac = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log_seals", x => x.community_id);
                });

            // INSERT OR REPLACE (and REPLACE, and an upsert) deletes a conflicting row without firing DELETE
            // triggers: refuse any insert that collides with an existing entry before conflict resolution runs.
            migrationBuilder.Sql(@"CREATE TRIGGER audit_log_no_conflict BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR (community_id = NEW.community_id AND (seq = NEW.seq OR prev_hash = NEW.prev_hash)))
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: an entry with this id, seq or prev_hash exists'); END;");

            // The seals are append-only the same way.
            migrationBuilder.Sql("CREATE TRIGGER audit_log_seals_no_update BEFORE UPDATE ON audit_log_seals BEGIN SELECT RAISE(ABORT, 'audit_log_seals is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER audit_log_seals_no_delete BEFORE DELETE ON audit_log_seals BEGIN SELECT RAISE(ABORT, 'audit_log_seals is append-only'); END;");
            migrationBuilder.Sql(@"CREATE TRIGGER audit_log_seals_no_conflict BEFORE INSERT ON audit_log_seals
WHEN EXISTS (SELECT 1 FROM audit_log_seals WHERE community_id = NEW.community_id)
BEGIN SELECT RAISE(ABORT, 'audit_log_seals is append-only: this chain is sealed'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_no_conflict;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_seals_no_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_seals_no_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_seals_no_conflict;");

            migrationBuilder.DropTable(
                name: "audit_log_seals");
        }
    }
}
