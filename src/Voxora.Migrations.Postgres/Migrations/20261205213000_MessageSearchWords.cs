using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Voxora.Server.Data;

#nullable disable

namespace Voxora.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Message search words (issue 19): PostgreSQL's text search parser keeps "docs.example.org", "foo.bar", "3.14",
    /// "user@mail.com" and "/usr/bin" as single tokens, so none of the words inside them could be found (searching "example"
    /// missed every link to example.org), nor the token itself, since a query is split into words at punctuation as
    /// SearchQueryParser.Lexemes splits it (and as SQLite's FTS5 index splits the content). voxora_search_words folds like
    /// voxora_search_fold and turns ASCII punctuation into spaces, so the index holds the same words as the query and as
    /// SQLite. The new index is built CONCURRENTLY before the old one is dropped, so search keeps working during the upgrade.
    /// No model change.
    /// </summary>
    [DbContext(typeof(VoxoraDbContext))]
    [Migration("20261205213000_MessageSearchWords")]
    public partial class MessageSearchWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(@"CREATE OR REPLACE FUNCTION voxora_search_words(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $b$ SELECT translate(voxora_search_fold($1), '!""#$%&''()*+,-./:;<=>?@[\]^_`{|}~', '                                ') $b$;");
            migrationBuilder.Sql(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_messages_search_words ON messages USING gin (to_tsvector('simple'::regconfig, voxora_search_words(content)));",
                suppressTransaction: true);
            migrationBuilder.Sql("DROP INDEX CONCURRENTLY IF EXISTS ix_messages_search;", suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_messages_search ON messages USING gin (to_tsvector('simple'::regconfig, voxora_search_fold(content)));",
                suppressTransaction: true);
            migrationBuilder.Sql("DROP INDEX CONCURRENTLY IF EXISTS ix_messages_search_words;", suppressTransaction: true);
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS voxora_search_words(text);");
        }
    }
}
