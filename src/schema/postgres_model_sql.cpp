#include "dbtool/schema/postgres_model_sql.h"

#include "dbtool/db/postgres/postgres_script.h"
#include "dbtool/error.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <set>
#include <vector>

namespace dbtool::schema {

namespace {

// A token of PostgreSQL SQL, as far as finding names needs: words (folded to lower
// case, as PostgreSQL folds unquoted names), "quoted names", 'strings' (E'', $$ bodies
// included), numbers and punctuation ("::" is one).
struct Token {
  enum class Kind { Word, Quoted, String, Body, Number, Punct } kind;
  std::size_t begin = 0, end = 0; // in the statement
  std::string value;              // a word folded, a name or string unquoted, the punctuation

  bool is(std::string_view word) const { return kind == Kind::Word && value == word; }
  bool is_punct(std::string_view punct) const { return kind == Kind::Punct && value == punct; }
  bool is_name() const { return kind == Kind::Word || kind == Kind::Quoted; }
};

bool word_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool word_char(char c) {
  return word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

// The text of a run quoted by QUOTE whose first character is at I, a doubled QUOTE
// standing for one (and with BACKSLASHES, as in E'...', a backslash escaping the next
// character); I is left past the closing quote.
std::string unquote(std::string_view sql, std::size_t& i, char quote, bool backslashes) {
  std::string text;
  for (; i < sql.size(); ++i) {
    if (backslashes && sql[i] == '\\' && i + 1 < sql.size()) {
      text += sql[++i];
      continue;
    }
    if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        text += quote;
        ++i;
        continue;
      }
      ++i;
      break;
    }
    text += sql[i];
  }
  return text;
}

std::vector<Token> tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++i;
    } else if ((c == '-' || c == '/') && i + 1 < n && sql[i + 1] == (c == '-' ? '-' : '*')) {
      i = db::comment_end(sql, i);
    } else if (c == '"') {
      Token token{Token::Kind::Quoted, i, i, {}};
      token.value = unquote(sql, ++i, '"', false);
      token.end = i;
      tokens.push_back(std::move(token));
    } else if (c == '\'' || ((c == 'E' || c == 'e') && i + 1 < n && sql[i + 1] == '\'' &&
                             (i == 0 || !word_char(sql[i - 1])))) {
      const bool escapes = c != '\'';
      Token token{Token::Kind::String, i, i, {}};
      i += escapes ? 2 : 1;
      token.value = unquote(sql, i, '\'', escapes);
      token.end = i;
      tokens.push_back(std::move(token));
    } else if (c == '$') {
      // $tag$ ... $tag$ (a function body): skipped whole. (A '$' inside a word is the
      // word's: words take it.)
      if (const std::size_t end = db::dollar_quote_end(sql, i); end != std::string_view::npos) {
        tokens.push_back({Token::Kind::Body, i, end, {}});
        i = end;
      } else {
        tokens.push_back({Token::Kind::Punct, i, i + 1, "$"});
        ++i;
      }
    } else if (word_start(c)) {
      const std::size_t start = i;
      while (i < n && word_char(sql[i]))
        ++i;
      tokens.push_back(
          {Token::Kind::Word, start, i, util::to_lower(std::string(sql.substr(start, i - start)))});
    } else if (c >= '0' && c <= '9') {
      const std::size_t start = i;
      while (i < n && (word_char(sql[i]) || sql[i] == '.'))
        ++i;
      tokens.push_back({Token::Kind::Number, start, i, std::string(sql.substr(start, i - start))});
    } else if (c == ':' && i + 1 < n && sql[i + 1] == ':') {
      tokens.push_back({Token::Kind::Punct, i, i + 2, "::"});
      i += 2;
    } else {
      tokens.push_back({Token::Kind::Punct, i, i + 1, std::string(1, c)});
      ++i;
    }
  }
  return tokens;
}

// A change to the file: [begin, end) becomes TEXT.
struct Edit {
  std::size_t begin, end;
  std::string text;
};

int line_at(std::string_view text, std::size_t offset) {
  return 1 + util::count_lines(text.substr(0, offset));
}

// The kinds of object a CREATE statement names, as words after CREATE [OR REPLACE]
// and its modifiers.
const std::set<std::string>& created_kinds() {
  static const std::set<std::string> kinds = {
      "table",     "view",  "sequence",  "type",     "domain", "function",  "procedure",
      "aggregate", "index", "collation", "operator", "schema", "extension", "trigger"};
  return kinds;
}

// For a CREATE statement: the position of the token naming the object created (after
// IF NOT EXISTS, CONCURRENTLY...), and its kind; npos when TOKENS are no CREATE.
std::pair<std::size_t, std::string> created_object(const std::vector<Token>& tokens) {
  if (tokens.empty() || !tokens[0].is("create"))
    return {std::string::npos, {}};
  std::size_t k = 1;
  while (k < tokens.size() && tokens[k].kind == Token::Kind::Word &&
         created_kinds().count(tokens[k].value) == 0)
    ++k; // OR REPLACE, TEMP, UNLOGGED, MATERIALIZED, UNIQUE, CONSTRAINT, RECURSIVE...
  if (k >= tokens.size() || tokens[k].kind != Token::Kind::Word)
    return {std::string::npos, {}};
  const std::string kind = tokens[k].value;
  ++k;
  if (kind == "index" && k < tokens.size() && tokens[k].is("concurrently"))
    ++k;
  if (k + 2 < tokens.size() && tokens[k].is("if") && tokens[k + 1].is("not") &&
      tokens[k + 2].is("exists"))
    k += 3;
  return {k, kind};
}

// A schema list (SET search_path's, or set_config's text) as names.
std::vector<std::string> path_items(const std::string& text) {
  std::vector<std::string> out;
  for (auto item : util::split_list(text, ',')) {
    if (item.size() >= 2 && item.front() == '"')
      item = item.substr(1, item.size() - 2);
    else
      item = util::to_lower(item);
    out.push_back(item);
  }
  return out;
}

class ModelRewriter {
 public:
  ModelRewriter(std::string_view text, const std::string& file, const PostgresModelContext& context)
      : m_text(text), m_file(file), m_context(context) {}

  std::string run() {
    const auto statements = db::split_postgres_script(m_text);
    std::vector<std::vector<Token>> tokens;
    for (const auto& statement : statements)
      tokens.push_back(tokenize(statement.text));
    // First the names the models create in the project's schema: only those move to
    // the scratch schema when qualified (public.citext, an extension's type, stays).
    for (std::size_t s = 0; s < statements.size(); ++s)
      collect_created(tokens[s]);
    for (std::size_t s = 0; s < statements.size(); ++s)
      rewrite(statements[s], tokens[s]);
    std::string out(m_text);
    std::sort(m_edits.begin(), m_edits.end(),
              [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
    for (const auto& edit : m_edits)
      out.replace(edit.begin, edit.end - edit.begin, edit.text);
    return out;
  }

 private:
  bool is_project(const Token& token) const {
    return token.is_name() && token.value == m_context.project_schema;
  }

  [[noreturn]] void refuse(std::size_t offset, const std::string& message) const {
    throw Error(ErrorKind::Project,
                message + ": dbtool compares the objects of one schema, '" +
                    m_context.project_schema + "' (the [postgres] schema setting chooses it)",
                m_file, line_at(m_text, offset));
  }

  void collect_created(const std::vector<Token>& tokens) {
    const auto [at, kind] = created_object(tokens);
    if (at == std::string::npos || at >= tokens.size() || kind == "schema" || kind == "extension")
      return;
    if (at + 2 < tokens.size() && tokens[at + 1].is_punct(".") && is_project(tokens[at]))
      m_created.insert(tokens[at + 2].value);
    else if (tokens[at].is_name())
      m_created.insert(tokens[at].value);
  }

  // STATEMENT becomes REPLACEMENT, with as many line breaks as it had.
  void replace_statement(const db::ScriptStatement& statement, const std::string& replacement) {
    const std::string text(statement.text);
    const bool terminated = !text.empty() && text.back() == ';';
    const auto lines = static_cast<std::size_t>(util::count_lines(text));
    m_edits.push_back(
        {statement.offset, statement.offset + text.size(),
         replacement + std::string(lines, '\n') + (terminated && !replacement.empty() ? ";" : "")});
  }

  // The search path set to ITEMS (SET search_path, set_config): the scratch schema
  // stays first when the first schema named is the project's (or none is); any other
  // first schema is refused.
  void set_search_path(const db::ScriptStatement& statement, const std::vector<std::string>& items,
                       std::size_t offset) {
    std::vector<std::string> named;
    for (const auto& item : items)
      if (item != "$user" && item != "pg_catalog" && item != "pg_temp" && !item.empty())
        named.push_back(item);
    if (!named.empty() && named.front() != m_context.project_schema)
      refuse(offset, "SET search_path makes '" + named.front() + "' the schema models go to");
    std::string path = m_context.search_path;
    for (const auto& item : named)
      path += ", " + util::sql_identifier(item);
    replace_statement(statement, "SET LOCAL search_path = " + path);
  }

  void rewrite(const db::ScriptStatement& statement, const std::vector<Token>& tokens) {
    if (tokens.empty())
      return;
    const std::size_t base = statement.offset;
    // SET [SESSION | LOCAL] search_path { TO | = } ...
    std::size_t k = 1;
    if (tokens[0].is("set")) {
      if (k < tokens.size() && (tokens[k].is("session") || tokens[k].is("local")))
        ++k;
      if (k + 1 < tokens.size() && tokens[k].is("search_path")) {
        std::string list;
        for (std::size_t i = k + 2; i < tokens.size(); ++i) {
          if (tokens[i].is_punct(";"))
            break;
          if (tokens[i].is_punct(","))
            list += ",";
          else if (tokens[i].is("default"))
            continue;
          else if (tokens[i].kind == Token::Kind::Word)
            list += tokens[i].value;
          else
            list += util::sql_identifier(tokens[i].value);
        }
        set_search_path(statement, path_items(list), base + tokens[k].begin);
        return;
      }
    }
    // SELECT [pg_catalog.]set_config('search_path', '...', ...), as pg_dump writes it.
    if (tokens[0].is("select")) {
      std::size_t at = 1;
      if (at + 1 < tokens.size() && tokens[at].is("pg_catalog") && tokens[at + 1].is_punct("."))
        at += 2;
      if (at + 4 < tokens.size() && tokens[at].is("set_config") && tokens[at + 1].is_punct("(") &&
          tokens[at + 2].kind == Token::Kind::String && tokens[at + 2].value == "search_path" &&
          tokens[at + 4].kind == Token::Kind::String) {
        set_search_path(statement, path_items(tokens[at + 4].value), base + tokens[at].begin);
        return;
      }
    }
    const auto [at, kind] = created_object(tokens);
    if (at != std::string::npos && kind == "schema") {
      // CREATE SCHEMA [IF NOT EXISTS] { name | AUTHORIZATION role }
      std::size_t name = at;
      if (name < tokens.size() && tokens[name].is("authorization"))
        ++name;
      if (name < tokens.size() && is_project(tokens[name])) {
        replace_statement(statement, "");
        return;
      }
      refuse(base + tokens[0].begin,
             "CREATE SCHEMA " + (name < tokens.size() ? tokens[name].value : std::string()));
    }
    if (at != std::string::npos && kind == "extension") {
      // IF NOT EXISTS: the database may have it already. In the project's schema (unless
      // the model says where): where the migration will make it, so that the models
      // name its objects as they will be named (public.citext).
      if (!(at >= 3 && tokens[at - 1].is("exists")))
        m_edits.push_back({base + tokens[at - 1].end, base + tokens[at - 1].end, " IF NOT EXISTS"});
      const bool placed = std::any_of(tokens.begin(), tokens.end(),
                                      [](const Token& token) { return token.is("schema"); });
      std::size_t end = tokens.size();
      if (end > 0 && tokens[end - 1].is_punct(";"))
        --end;
      if (!placed && at < end)
        m_edits.push_back({base + tokens[end - 1].end, base + tokens[end - 1].end,
                           " SCHEMA " + quote_postgres_name(m_context.project_schema)});
    } else if (at != std::string::npos && at + 2 < tokens.size() && tokens[at].is_name() &&
               tokens[at + 1].is_punct(".") && !is_project(tokens[at]) &&
               tokens[at].value != "pg_temp" && kind != "index" && kind != "trigger") {
      refuse(base + tokens[at].begin, kind + " '" + tokens[at].value + "." + tokens[at + 2].value +
                                          "' is made in schema '" + tokens[at].value + "'");
    }
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const Token& token = tokens[i];
      // project.name -> scratch.name, for the names the models create
      if (is_project(token) && i + 2 < tokens.size() && tokens[i + 1].is_punct(".") &&
          tokens[i + 2].is_name() && m_created.count(tokens[i + 2].value) != 0 &&
          !(i > 0 && tokens[i - 1].is_punct("."))) {
        m_edits.push_back(
            {base + token.begin, base + token.end, quote_postgres_name(m_context.scratch_schema)});
        continue;
      }
      // ... SCHEMA project (COMMENT ON SCHEMA, ALTER SCHEMA, GRANT ... ON SCHEMA)
      if (is_project(token) && i > 0 && tokens[i - 1].is("schema") && !tokens[0].is("create") &&
          !(i + 1 < tokens.size() && tokens[i + 1].is_punct("."))) {
        m_edits.push_back(
            {base + token.begin, base + token.end, quote_postgres_name(m_context.scratch_schema)});
        continue;
      }
      // 'project.sequence'::regclass, as pg_dump writes a serial column's default
      const std::string prefix = m_context.project_schema + ".";
      if (token.kind == Token::Kind::String && i + 2 < tokens.size() &&
          tokens[i + 1].is_punct("::") && tokens[i + 2].is("regclass") &&
          token.value.rfind(prefix, 0) == 0)
        m_edits.push_back(
            {base + token.begin, base + token.end,
             util::sql_quote(m_context.scratch_schema + "." + token.value.substr(prefix.size()))});
    }
  }

  std::string_view m_text;
  const std::string& m_file;
  const PostgresModelContext& m_context;
  std::set<std::string> m_created;
  std::vector<Edit> m_edits;
};

} // namespace

std::string prepare_postgres_model(std::string_view text, const std::string& file,
                                   const PostgresModelContext& context) {
  return ModelRewriter(text, file, context).run();
}

} // namespace dbtool::schema
