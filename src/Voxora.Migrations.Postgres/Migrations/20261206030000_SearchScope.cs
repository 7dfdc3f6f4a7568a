using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Voxora.Server.Data;

#nullable disable

namespace Voxora.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Search filters from the index (issue 19): messages.search_vector also holds the message's channel id and author id
    /// as lexemes, verbatim (array_to_tsvector: no parsing, so "ch_01M9…" keeps its underscore and capitals and can never
    /// equal a lexeme a query's words produce, which have no punctuation and are folded to lower case). A channel_id or
    /// author_id filter is then one more term of the same GIN search, instead of a bitmap of every match of a common word
    /// ANDed with the channel's rows, or a walk of the newest messages until enough are the author's (1M messages: 140–300 ms
    /// per query; docs/benchmarks.md, search). PostgreSQL 15 cannot change a generated column's expression, so the column
    /// is dropped and added again (a rewrite of messages under lock, as MessageSearch's was) and the index is rebuilt
    /// CONCURRENTLY. Outside the EF model, as before.
    /// </summary>
    [DbContext(typeof(VoxoraDbContext))]
    [Migration("20261206030000_SearchScope")]
    public partial class SearchScope : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Vector(migrationBuilder,
            "to_tsvector('simple'::regconfig, voxora_search_words(content)) || array_to_tsvector(ARRAY[channel_id::text, author_id::text])");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Vector(migrationBuilder,
            "to_tsvector('simple'::regconfig, voxora_search_words(content))");

        private static void Vector(MigrationBuilder migrationBuilder, string expression)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_messages_search;");
            migrationBuilder.Sql("ALTER TABLE messages DROP COLUMN IF EXISTS search_vector;");
            migrationBuilder.Sql($"ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED;");
            migrationBuilder.Sql(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_messages_search ON messages USING gin (search_vector);",
                suppressTransaction: true);
        }
    }
}
