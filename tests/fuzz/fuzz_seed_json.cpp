// libFuzzer target: seed's readers (JSON files and dump's jsonl) into an in-memory
// database with a table of every kind of column.
#include "dbtool/data/seed.h"
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path dir = [] {
    char pattern[] = "/tmp/dbtool-fuzz-seed.XXXXXX";
    return std::filesystem::path(mkdtemp(pattern));
  }();
  for (const char* name : {"seed.json", "seed.jsonl"}) {
    const auto file = dir / name;
    if (std::FILE* out = std::fopen(file.c_str(), "wb")) {
      std::fwrite(data, 1, size, out);
      std::fclose(out);
    }
    try {
      dbtool::db::SqliteConnection connection{dbtool::config::SqliteOptions{}};
      connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n REAL, b BLOB, "
                         "j JSON, k TEXT UNIQUE); CREATE TABLE u (a TEXT, b INT, PRIMARY KEY "
                         "(a, b)) WITHOUT ROWID");
      (void)dbtool::data::seed_database(connection, {file});
    } catch (const dbtool::Error&) {
    }
  }
  return 0;
}
