#pragma once

#include <string_view>

namespace dbtool::db {

// Whether SQL ends with a complete statement (a final ';' outside any literal,
// comment or trigger body), as SQLite's own tokenizer decides.
bool ends_with_complete_statement(std::string_view sql);

} // namespace dbtool::db

namespace dbtool::db {

// Whether WORD is one of SQLite's keywords (case-insensitive), so it must be quoted
// to serve as a name.
bool is_sqlite_keyword(std::string_view word);

} // namespace dbtool::db
