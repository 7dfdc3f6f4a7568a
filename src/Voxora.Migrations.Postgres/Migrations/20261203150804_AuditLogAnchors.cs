using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Voxora.Migrations.Postgres.Migrations
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
                    community_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    last_seq = table.Column<long>(type: "bigint", nullable: false),
                    last_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    mac = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log_seals", x => x.community_id);
                });

            // Refuse any insert that collides with an existing entry, whatever its ON CONFLICT clause says
            // (DO UPDATE was already stopped by the UPDATE trigger; DO NOTHING now fails instead of passing silently).
            migrationBuilder.Sql(@"CREATE FUNCTION audit_log_no_conflict() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR (community_id = NEW.community_id AND (seq = NEW.seq OR prev_hash = NEW.prev_hash))) THEN
        RAISE EXCEPTION 'audit_log is append-only: an entry with this id, seq or prev_hash exists';
    END IF;
    RETURN NEW;
END;
$$;");
            migrationBuilder.Sql("CREATE TRIGGER audit_log_no_conflict BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_no_conflict();");

            // The seals are append-only the same way.
            migrationBuilder.Sql(@"CREATE FUNCTION audit_log_seals_no_conflict() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_log_seals WHERE community_id = NEW.community_id) THEN
        RAISE EXCEPTION 'audit_log_seals is append-only: this chain is sealed';
    END IF;
    RETURN NEW;
END;
$$;");
            migrationBuilder.Sql("CREATE TRIGGER audit_log_seals_no_conflict BEFORE INSERT ON audit_log_seals FOR EACH ROW EXECUTE FUNCTION audit_log_seals_no_conflict();");
            migrationBuilder.Sql("CREATE TRIGGER audit_log_seals_no_update BEFORE UPDATE OR DELETE ON audit_log_seals FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();");
            migrationBuilder.Sql("CREATE TRIGGER audit_log_seals_no_truncate BEFORE TRUNCATE ON audit_log_seals FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_no_conflict ON audit_log;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_log_no_conflict();");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_seals_no_conflict ON audit_log_seals;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_seals_no_update ON audit_log_seals;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_log_seals_no_truncate ON audit_log_seals;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_log_seals_no_conflict();");

            migrationBuilder.DropTable(
                name: "audit_log_seals");
        }
    }
}
