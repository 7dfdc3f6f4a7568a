using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Voxora.Server.Data;

#nullable disable

namespace Voxora.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// Search filters from the index (issue 19): messages_fts gains a second column, <c>scope</c>, holding each message's
    /// channel and author as one token each (the id without its underscore: <c>ch_01M9…</c> → <c>ch01m9…</c>). A
    /// <c>channel_id</c> or <c>author_id</c> filter is then intersected inside FTS5 with the words' doclists, instead of
    /// walking every match of a common word newest first until enough of them are in the channel (1M messages: a
    /// common word in one of 50 channels, 144 → 25 ms; docs/benchmarks.md, search). The external content is the view
    /// <c>messages_fts_source</c>, so 'rebuild' still reads the messages themselves and no text is stored twice.
    /// Channel and author never change after insert; the update trigger still passes the old values to 'delete'.
    /// No model change.
    /// </summary>
    [DbContext(typeof(VoxoraDbContext))]
    [Migration("20261206030000_SearchScope")]
    public partial class SearchScope : Migration
    {
        private const string NewScope = "replace(new.channel_id, '_', '') || ' ' || replace(new.author_id, '_', '')";
        private const string OldScope = "replace(old.channel_id, '_', '') || ' ' || replace(old.author_id, '_', '')";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            DropIndex(migrationBuilder);
            migrationBuilder.Sql("CREATE VIEW messages_fts_source AS SELECT id, content, replace(channel_id, '_', '') || ' ' || replace(author_id, '_', '') AS scope FROM messages;");
            migrationBuilder.Sql("CREATE VIRTUAL TABLE messages_fts USING fts5(content, scope, content='messages_fts_source', content_rowid='id', tokenize='unicode61 remove_diacritics 2');");
            migrationBuilder.Sql($"CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN INSERT INTO messages_fts(rowid, content, scope) VALUES (new.id, new.content, {NewScope}); END;");
            migrationBuilder.Sql($"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, content, scope) VALUES ('delete', old.id, old.content, {OldScope}); END;");
            migrationBuilder.Sql($"CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, channel_id, author_id ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, content, scope) VALUES ('delete', old.id, old.content, {OldScope}); INSERT INTO messages_fts(rowid, content, scope) VALUES (new.id, new.content, {NewScope}); END;");
            migrationBuilder.Sql("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            DropIndex(migrationBuilder);
            migrationBuilder.Sql("DROP VIEW IF EXISTS messages_fts_source;");
            migrationBuilder.Sql("CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');");
            migrationBuilder.Sql("CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END;");
            migrationBuilder.Sql("CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content); END;");
            migrationBuilder.Sql("CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END;");
            migrationBuilder.Sql("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');");
        }

        private static void DropIndex(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_insert;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS messages_fts;");
        }
    }
}
