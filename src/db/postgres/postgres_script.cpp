#include "dbtool/db/postgres/postgres_script.h"

#include <cctype>
#include <string>

namespace dbtool::db {

namespace {

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Where the dollar-quote tag starting at I ends ("$tag$" or "$$"), or npos when the
// '$' there opens no tag (a parameter like $1, or part of a name).
std::size_t dollar_tag_end(std::string_view sql, std::size_t i) {
  std::size_t j = i + 1;
  if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])))
    return std::string_view::npos;
  while (j < sql.size() && is_identifier_char(sql[j]) && sql[j] != '$')
    ++j;
  return j < sql.size() && sql[j] == '$' ? j + 1 : std::string_view::npos;
}

// Skips white space and comments from I.
std::size_t skip_blank(std::string_view sql, std::size_t i) {
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i])))
      ++i;
    else if (sql.compare(i, 2, "--") == 0 || sql.compare(i, 2, "/*") == 0)
      i = comment_end(sql, i);
    else
      break;
  }
  return i;
}

std::string upper_word(std::string_view text, std::size_t& i) {
  i = skip_blank(text, i);
  std::string word;
  while (i < text.size() && is_identifier_char(text[i]))
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i++])));
  return word;
}

} // namespace

std::vector<ScriptStatement> split_postgres_script(std::string_view sql) {
  std::vector<ScriptStatement> statements;
  std::size_t start = 0;
  std::size_t i = 0;
  int depth = 0;
  auto finish = [&](std::size_t end) {
    const std::size_t first = skip_blank(sql, start);
    if (first < end)
      statements.push_back({sql.substr(first, end - first), first});
    start = end;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if ((c == '-' && sql.compare(i, 2, "--") == 0) || (c == '/' && sql.compare(i, 2, "/*") == 0)) {
      i = comment_end(sql, i);
    } else if (c == '\'' || c == '"') {
      // E'...' strings take backslash escapes; standard strings and names do not.
      const bool escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           (i < 2 || !is_identifier_char(sql[i - 2]));
      ++i;
      while (i < sql.size()) {
        if (escapes && sql[i] == '\\') {
          i += 2;
        } else if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            i += 2; // a doubled quote stands for one
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
    } else if (c == '$' && (i == 0 || !is_identifier_char(sql[i - 1]))) {
      const std::size_t end = dollar_quote_end(sql, i);
      i = end == std::string_view::npos ? i + 1 : end;
    } else if (c == '(') {
      ++depth;
      ++i;
    } else if (c == ')') {
      depth = depth > 0 ? depth - 1 : 0;
      ++i;
    } else if (c == ';' && depth == 0) {
      finish(++i);
    } else {
      ++i;
    }
  }
  finish(sql.size());
  return statements;
}

std::size_t dollar_quote_end(std::string_view sql, std::size_t i) {
  const std::size_t tag_end = dollar_tag_end(sql, i);
  if (tag_end == std::string_view::npos)
    return std::string_view::npos;
  const std::string_view tag = sql.substr(i, tag_end - i);
  const std::size_t close = sql.find(tag, tag_end);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

std::size_t comment_end(std::string_view sql, std::size_t i) {
  if (sql.compare(i, 2, "--") == 0) {
    const std::size_t newline = sql.find('\n', i);
    return newline == std::string_view::npos ? sql.size() : newline;
  }
  int depth = 0;
  while (i < sql.size()) {
    if (sql.compare(i, 2, "/*") == 0) {
      ++depth;
      i += 2;
    } else if (sql.compare(i, 2, "*/") == 0) {
      i += 2;
      if (--depth == 0)
        break;
    } else {
      ++i;
    }
  }
  return i;
}

bool controls_transaction(std::string_view statement) {
  std::size_t i = 0;
  const std::string first = upper_word(statement, i);
  if (first == "BEGIN" || first == "END" || first == "ABORT")
    return true;
  if (first == "START")
    return upper_word(statement, i) == "TRANSACTION";
  if (first == "COMMIT")
    return true; // COMMIT and COMMIT PREPARED
  if (first == "ROLLBACK") {
    const std::string second = upper_word(statement, i);
    if (second == "TO")
      return false;
    if (second == "TRANSACTION" || second == "WORK")
      return upper_word(statement, i) != "TO";
    return true;
  }
  if (first == "PREPARE")
    return upper_word(statement, i) == "TRANSACTION";
  return false;
}

} // namespace dbtool::db
