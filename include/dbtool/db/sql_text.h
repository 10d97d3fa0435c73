#pragma once

#include <string_view>

namespace dbtool::db {

// Whether SQL ends with a complete statement (a final ';' outside any literal,
// comment or trigger body), as SQLite's own tokenizer decides.
bool ends_with_complete_statement(std::string_view sql);

} // namespace dbtool::db
