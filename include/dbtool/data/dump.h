#pragma once

#include "dbtool/db/connection.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace dbtool::data {

enum class DumpFormat { Sql, Jsonl };

struct DumpOptions {
  DumpFormat format = DumpFormat::Sql;
  bool schema_only = false;
  bool data_only = false;
  std::vector<std::string> tables; // empty: all
  // Told the running row count now and then (every 65,536 rows and at the end).
  std::function<void(std::uint64_t rows)> on_progress;
};

struct DumpResult {
  std::size_t tables = 0;
  std::uint64_t rows = 0;
};

// Writes the database to OUT, streaming row by row (constant memory), in a
// deterministic order: tables parents first then by name, rows by primary key or
// rowid. sql: a script that rebuilds the database in an empty one (sqlite3 or dbtool),
// in one transaction with foreign keys off as `sqlite3 .dump` does. jsonl: per table a
// header line {"table", "columns": [{"name", "type"}]} and one JSON array per row.
DumpResult dump_database(db::Connection& connection, const DumpOptions& options, std::FILE* out);

// The same into PATH, written beside it and renamed into place: a failure (disk full,
// unwritable folder, or any exception at all) leaves no partial file. Error(Database)
// names the path.
DumpResult dump_database_to_file(db::Connection& connection, const DumpOptions& options,
                                 const std::filesystem::path& path);

} // namespace dbtool::data
