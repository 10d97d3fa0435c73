#pragma once

#include "dbtool/db/connection.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dbtool::data {

struct SeedResult {
  std::size_t files = 0;
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  // PostgreSQL: identity and serial sequences moved past the keys of the seeded tables.
  std::size_t sequences_advanced = 0;
};

// The project's own tables, whose rows are no fixture data (config::Settings'
// version_table and history_table).
struct SeedOptions {
  std::string version_table;
  std::string history_table;
};

// Loads fixture rows from FILES in one transaction: all of them or nothing. A file is
// JSON ({"table": T, "rows": [{column: value}, ...]} or a list of such) or the jsonl
// that dump writes. Rows are upserted by primary key (a rowid table without one: by
// the "rowid" column when the row has it, else by all its columns), and a row equal
// to the stored one is left alone, so seeding twice changes nothing the second time.
// On PostgreSQL the sequences of the seeded tables' identity and serial columns are
// then moved past the largest key (never backwards), in the same transaction.
// Unknown table: Error(Project). A file with rows for OPTIONS' version or history table:
// Error(Project) naming the file (and line), before anything is written. Unknown
// column, constraint violation: Error(Database) naming the file, the row's line or
// index, and the column.
SeedResult seed_database(db::Connection& connection,
                         const std::vector<std::filesystem::path>& files,
                         const SeedOptions& options = {});

// The seed files of a folder: *.json and *.jsonl, in name order.
std::vector<std::filesystem::path> seed_files_in(const std::filesystem::path& folder);

} // namespace dbtool::data
