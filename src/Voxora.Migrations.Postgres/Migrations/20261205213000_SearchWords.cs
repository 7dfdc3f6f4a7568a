using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Voxora.Server.Data;

#nullable disable

namespace Voxora.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Stemming for message search (issue 19): search_words, every stemmable word messages have used with its English and
    /// Portuguese Snowball stems (folded), kept by SearchVocabulary; a query word is widened to the words sharing a stem.
    /// Filled from existing messages by the node that starts with it empty. Outside the EF model (no entity reads it).
    /// </summary>
    [DbContext(typeof(VoxoraDbContext))]
    [Migration("20261205213000_SearchWords")]
    public partial class SearchWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE TABLE search_words (word text NOT NULL PRIMARY KEY, stem_en text NOT NULL, stem_pt text NOT NULL);");
            migrationBuilder.Sql("CREATE INDEX ix_search_words_stem_en ON search_words (stem_en);");
            migrationBuilder.Sql("CREATE INDEX ix_search_words_stem_pt ON search_words (stem_pt);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS search_words;");
        }
    }
}
