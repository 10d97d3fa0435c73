// libFuzzer target: SQL models. The hand-written parts first (tokenizer, the locating
// parsers of CREATE TABLE / CREATE INDEX / CREATE VIEW, canonical SQL), on any text;
// then the real path: whatever SQLite accepts in an in-memory database is introspected,
// which parses SQLite's stored CREATE texts.
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"
#include "dbtool/schema/create_statement.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/schema/sqlite_introspector.h"
#include "dbtool/schema/sqlite_renderer.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)dbtool::schema::tokenize_sql(text);
  (void)dbtool::schema::canonical_sql(text);
  (void)dbtool::schema::parse_create_table(text);
  (void)dbtool::schema::parse_create_index(text);
  (void)dbtool::schema::parse_view_select(text);
  (void)dbtool::schema::parse_view_columns(text);
  if (size > 4096)
    return 0; // SQLite's own parser is not what is under test
  try {
    dbtool::db::SqliteConnection connection{dbtool::config::SqliteOptions{}};
    connection.execute_script(text, 1);
    const auto schema = dbtool::schema::introspect_sqlite(connection);
    (void)dbtool::schema::render_sqlite_schema(schema);
  } catch (const dbtool::Error&) {
  }
  return 0;
}
