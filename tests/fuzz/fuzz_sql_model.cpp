// libFuzzer target: SQL models. The hand-written parts first (tokenizer, the locating
// parsers of CREATE TABLE / CREATE INDEX / CREATE VIEW, canonical SQL), on any text;
// then the real path: whatever SQLite accepts in an in-memory database is introspected,
// which parses SQLite's stored CREATE texts. The same text as a project's
// schema/models.sql (load_declared_schema: its CREATE TABLE and CREATE INDEX statements
// go into sqlite_schema in bulk) must give the same model, or be refused with an Error.
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"
#include "dbtool/schema/create_statement.h"
#include "dbtool/schema/declared_schema.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/schema/sqlite_introspector.h"
#include "dbtool/schema/sqlite_renderer.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

// A folder for models.sql, made once per process.
const std::filesystem::path& models_folder() {
  static const std::filesystem::path folder = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fuzz-sql-model.XXXXXX").string();
    return std::filesystem::path(mkdtemp(pattern.data()));
  }();
  return folder;
}

} // namespace

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
    std::ofstream(models_folder() / "models.sql", std::ios::binary | std::ios::trunc) << text;
    try {
      if (!(dbtool::schema::load_declared_schema(models_folder()) == schema))
        std::abort(); // the bulk load and SQLite's own execution disagree
    } catch (const dbtool::Error&) {
      // refused (a foreign key to a missing table, say): the error names the file
    }
  } catch (const dbtool::Error&) {
  }
  return 0;
}
