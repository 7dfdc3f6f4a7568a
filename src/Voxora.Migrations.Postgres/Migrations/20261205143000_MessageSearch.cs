using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Voxora.Server.Data;

#nullable disable

namespace Voxora.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Message search (issue 19). voxora_search_fold: lower case, then Latin accents removed — the same letters as
    /// SearchQueryParser.Accented/Plain, copied here because a migration must not change when that code does; ASCII-only text
    /// (most messages) skips the translate, whose cost grows with the length of its table. voxora_search_words: folded, and
    /// ASCII punctuation made spaces, because PostgreSQL's parser keeps "docs.example.org", "3.14" or "user@mail.com" as one
    /// token where the query (and SQLite's FTS5) splits them into words. The vector is a stored generated column,
    /// messages.search_vector, so ranking, phrase rechecks and the capped count read it instead of folding the content of
    /// every row they touch again; the GIN index is on it, built CONCURRENTLY outside the migration's transaction. 'simple'
    /// because messages mix languages (stemming is SearchVocabulary's, migration SearchWords). Outside the EF model: nothing
    /// reads the column but SearchStore.
    /// </summary>
    [DbContext(typeof(VoxoraDbContext))]
    [Migration("20261205143000_MessageSearch")]
    public partial class MessageSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // lower() follows the database's collation; with the C locale it would leave non-ASCII capitals alone, so ICU's
            // root collation is used where the server has ICU (Debian's and the official images do).
            migrationBuilder.Sql(@"DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
    EXECUTE $f$CREATE OR REPLACE FUNCTION voxora_search_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $b$ SELECT CASE WHEN octet_length($1) = length($1) THEN lower($1) ELSE translate(lower($1 COLLATE ""und-x-icu""), 'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįıĲĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŉŊŌōŎŏŐőŒŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƁƂƄƆƇƉƊƋƎƏƐƑƓƔƖƗƘƜƝƟƠơƢƤƦƧƩƬƮƯưƱƲƳƵƷƸƼǄǅǇǈǊǋǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǤǦǧǨǩǪǫǬǭǮǰǱǲǴǵǶǷǸǹǺǻǼǾȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȜȞȟȠȢȤȦȧȨȩȪȫȬȭȮȯȰȱȲȳȺȻȽȾɁɃɄɅɆɈɊɌɎ', 'aaaaaaæceeeeiiiiðnoooooouuuuyþaaaaaaceeeeiiiinoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiĳjjkkllllllllllnnnnnnnŋooooooœrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzɓƃƅɔƈɖɗƌǝəɛƒɠɣɩɨƙɯɲɵooƣƥʀƨʃƭʈuuʊʋƴƶʒƹƽǆǆǉǉǌǌaaiioouuuuuuuuuuaaaaǣǥggkkooooǯjǳǳggƕƿnnaaǽǿaaaaeeeeiiiioooorrrruuuussttȝhhƞȣȥaaeeooooooooyyⱥȼƚⱦɂƀʉʌɇɉɋɍɏ') END $b$$f$;
  ELSE
    EXECUTE $f$CREATE OR REPLACE FUNCTION voxora_search_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $b$ SELECT CASE WHEN octet_length($1) = length($1) THEN lower($1) ELSE translate(lower($1), 'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįıĲĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŉŊŌōŎŏŐőŒŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƁƂƄƆƇƉƊƋƎƏƐƑƓƔƖƗƘƜƝƟƠơƢƤƦƧƩƬƮƯưƱƲƳƵƷƸƼǄǅǇǈǊǋǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǤǦǧǨǩǪǫǬǭǮǰǱǲǴǵǶǷǸǹǺǻǼǾȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȜȞȟȠȢȤȦȧȨȩȪȫȬȭȮȯȰȱȲȳȺȻȽȾɁɃɄɅɆɈɊɌɎ', 'aaaaaaæceeeeiiiiðnoooooouuuuyþaaaaaaceeeeiiiinoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiĳjjkkllllllllllnnnnnnnŋooooooœrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzɓƃƅɔƈɖɗƌǝəɛƒɠɣɩɨƙɯɲɵooƣƥʀƨʃƭʈuuʊʋƴƶʒƹƽǆǆǉǉǌǌaaiioouuuuuuuuuuaaaaǣǥggkkooooǯjǳǳggƕƿnnaaǽǿaaaaeeeeiiiioooorrrruuuussttȝhhƞȣȥaaeeooooooooyyⱥȼƚⱦɂƀʉʌɇɉɋɍɏ') END $b$$f$;
  END IF;
END
$do$;");
            migrationBuilder.Sql(@"CREATE OR REPLACE FUNCTION voxora_search_words(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $b$ SELECT translate(voxora_search_fold($1), '!""#$%&''()*+,-./:;<=>?@[\]^_`{|}~', '                                ') $b$;");
            migrationBuilder.Sql(
                "ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, voxora_search_words(content))) STORED;");
            migrationBuilder.Sql(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_messages_search ON messages USING gin (search_vector);",
                suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_messages_search;");
            migrationBuilder.Sql("ALTER TABLE messages DROP COLUMN IF EXISTS search_vector;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS voxora_search_words(text);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS voxora_search_fold(text);");
        }
    }
}
