#pragma once

#include <string_view>
#include <vector>

namespace dbtool::db {

// One statement of a PostgreSQL script: its text (up to and including the ';' that
// ends it, if any) and where it starts in the script.
struct ScriptStatement {
  std::string_view text;
  std::size_t offset = 0;
};

// Splits a PostgreSQL script at the semicolons that end statements, as psql does:
// not inside '...' or E'...' strings, "..." names, $tag$...$tag$ bodies (functions),
// -- comments or nested /* */ comments, nor inside parentheses (a rule body).
// Statements are run one by one so that a failure names its line, and so that
// statements that refuse a transaction block (CREATE INDEX CONCURRENTLY) can run in
// non-transactional revisions. Pieces holding only white space and comments are
// dropped. Never throws: text PostgreSQL would reject still splits somewhere, and
// the server then names the error.
std::vector<ScriptStatement> split_postgres_script(std::string_view sql);

// Where the dollar-quoted body whose opening '$' is at I ends ("$tag$ ... $tag$" or
// "$$ ... $$"): past its closing tag, or the end of SQL when nothing closes it. npos
// when the '$' there opens no tag (a parameter like $1, a '$' with no closing one).
std::size_t dollar_quote_end(std::string_view sql, std::size_t i);

// Where the comment that starts at I ends: a "--" comment at the end of its line, a
// "/* */" comment (they nest) past its closing "*/", or the end of SQL.
std::size_t comment_end(std::string_view sql, std::size_t i);

// Whether STATEMENT (as split above) begins or ends a transaction: BEGIN, START
// TRANSACTION, COMMIT, END, ROLLBACK (not ROLLBACK TO SAVEPOINT), ABORT, and PREPARE
// TRANSACTION / COMMIT PREPARED.
bool controls_transaction(std::string_view statement);

} // namespace dbtool::db
