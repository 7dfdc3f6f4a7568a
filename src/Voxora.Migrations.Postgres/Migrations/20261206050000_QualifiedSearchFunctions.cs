using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Voxora.Server.Data;

#nullable disable

namespace Voxora.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Backups (issue 20): voxora_search_words called voxora_search_fold by its bare name, and pg_restore creates tables
    /// with an empty search_path, so creating messages (whose generated search_vector inlines voxora_search_words) failed
    /// with "function voxora_search_fold(text) does not exist" and no pg_dump of a Voxora database could be restored. The
    /// body now names the fold function with its schema (the one both functions live in). Same body otherwise, so the
    /// stored vectors stay right and nothing is rewritten.
    /// </summary>
    [DbContext(typeof(VoxoraDbContext))]
    [Migration("20261206050000_QualifiedSearchFunctions")]
    public partial class QualifiedSearchFunctions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Words(migrationBuilder, qualified: true);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Words(migrationBuilder, qualified: false);

        private static void Words(MigrationBuilder migrationBuilder, bool qualified)
        {
            var fold = qualified ? "%1$I.voxora_search_fold" : "voxora_search_fold";
            migrationBuilder.Sql($@"DO $do$
DECLARE s text;
BEGIN
  SELECT n.nspname INTO s FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE p.proname = 'voxora_search_fold' AND pg_function_is_visible(p.oid);
  EXECUTE format($f$CREATE OR REPLACE FUNCTION %1$I.voxora_search_words(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $b$ SELECT translate({fold}($1), '!""#$%%&''()*+,-./:;<=>?@[\]^_`{{|}}~', '                                ') $b$$f$, s);
END
$do$;");
        }
    }
}
