#pragma once

#include "dbtool/data/dump.h"
#include "dbtool/error.h"
#include "dbtool/util/strings.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace dbtool::data {

// A write buffer over a FILE*: rows are appended as text and flushed in large
// chunks, so memory stays flat whatever the table's size. (Private to the dumpers.)
class DumpOutput {
 public:
  explicit DumpOutput(std::FILE* file) : m_file(file) { m_buffer.reserve(capacity + 4096); }
  std::string& buffer() { return m_buffer; }
  void maybe_flush() {
    if (m_buffer.size() >= capacity)
      flush();
  }
  void flush() {
    if (!m_buffer.empty() &&
        std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_file) != m_buffer.size())
      throw Error(ErrorKind::Database,
                  std::string("cannot write the dump: ") + std::strerror(errno));
    m_buffer.clear();
  }

 private:
  static constexpr std::size_t capacity = 1 << 20;
  std::FILE* m_file;
  std::string m_buffer;
};

// Whether TABLE is left out of the dump: the project's version or history table in a
// jsonl dump of every table (seed refuses their rows). FOLD_CASE: names match without
// regard to ASCII case (SQLite).
inline bool left_out_of_dump(const DumpOptions& options, const std::string& table, bool fold_case) {
  if (options.format != DumpFormat::Jsonl || !options.tables.empty())
    return false;
  auto same = [&](const std::string& own) {
    return !own.empty() && (fold_case ? util::equals_ignoring_case(own, table) : own == table);
  };
  return same(options.version_table) || same(options.history_table);
}

// Writes what is buffered and flushes FILE (an error is Error(Database)), then tells
// the progress callback the final count.
inline void finish_dump(DumpOutput& out, std::FILE* file, const DumpOptions& options,
                        std::uint64_t rows) {
  out.flush();
  if (std::fflush(file) != 0)
    throw Error(ErrorKind::Database, std::string("cannot write the dump: ") + std::strerror(errno));
  if (options.on_progress)
    options.on_progress(rows);
}

} // namespace dbtool::data
