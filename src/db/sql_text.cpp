#include "dbtool/db/sql_text.h"

#include <sqlite3.h>

#include <string>

namespace dbtool::db {

bool ends_with_complete_statement(std::string_view sql) {
  const std::string text(sql);
  return sqlite3_complete(text.c_str()) != 0;
}

} // namespace dbtool::db

namespace dbtool::db {

bool is_sqlite_keyword(std::string_view word) {
  return sqlite3_keyword_check(word.data(), static_cast<int>(word.size())) != 0;
}

} // namespace dbtool::db
