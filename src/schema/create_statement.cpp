#include "dbtool/schema/create_statement.h"

#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/strings.h"

namespace dbtool::schema {

namespace {

using Tokens = std::vector<Token>;

// The index just past the parenthesis that closes the one at OPEN.
std::size_t skip_parens(const Tokens& tokens, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < tokens.size(); ++i) {
    if (tokens[i].is_punct('('))
      ++depth;
    else if (tokens[i].is_punct(')') && --depth == 0)
      return i + 1;
  }
  return tokens.size();
}

// Splits TOKENS[begin, end) at top-level commas into [begin, end) ranges.
std::vector<std::pair<std::size_t, std::size_t>> split_items(const Tokens& tokens,
                                                             std::size_t begin, std::size_t end) {
  std::vector<std::pair<std::size_t, std::size_t>> items;
  std::size_t start = begin;
  int depth = 0;
  for (std::size_t i = begin; i < end; ++i) {
    if (tokens[i].is_punct('('))
      ++depth;
    else if (tokens[i].is_punct(')'))
      --depth;
    else if (depth == 0 && tokens[i].is_punct(',')) {
      items.emplace_back(start, i);
      start = i + 1;
    }
  }
  if (start < end)
    items.emplace_back(start, end);
  return items;
}

std::string name_of(const Token& token) {
  return token.name();
}

// Names inside "( a, b COLLATE x DESC )" starting at OPEN: the first token of each item.
std::vector<std::string> name_list(const Tokens& tokens, std::size_t open, std::size_t& next) {
  std::vector<std::string> names;
  next = skip_parens(tokens, open);
  for (const auto& [begin, end] : split_items(tokens, open + 1, next - 1))
    if (begin < end)
      names.push_back(name_of(tokens[begin]));
  return names;
}

bool starts_constraint(const Token& token) {
  for (const char* word : {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT",
                           "DEFERRABLE", "COLLATE", "REFERENCES", "GENERATED", "AS"})
    if (token.is_word(word))
      return true;
  return false;
}

// Reads "ON CONFLICT action" at I, if present, into ACTION (upper case; ABORT, the
// default, as empty); returns the index after it.
std::size_t read_conflict(const Tokens& tokens, std::size_t i, std::size_t end,
                          std::string& action) {
  if (i + 1 < end && tokens[i].is_word("ON") && tokens[i + 1].is_word("CONFLICT")) {
    action = i + 2 < end ? util::to_upper(std::string(tokens[i + 2].text)) : "";
    if (action == "ABORT")
      action.clear();
    return std::min(i + 3, end);
  }
  return i;
}

// Reads "REFERENCES table [(cols)] [ON DELETE|UPDATE action] [MATCH name]
// [[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]]" at I; returns the index after it.
std::size_t read_references(const Tokens& tokens, std::size_t i, std::size_t end,
                            ParsedForeignKey& key) {
  ++i; // REFERENCES
  if (i < end)
    key.ref_table = name_of(tokens[i++]);
  if (i < end && tokens[i].is_punct('(')) {
    std::size_t next = i;
    name_list(tokens, i, next);
    i = next;
  }
  while (i < end) {
    if (tokens[i].is_word("ON") && i + 1 < end &&
        (tokens[i + 1].is_word("DELETE") || tokens[i + 1].is_word("UPDATE"))) {
      i += 2;
      if (i < end && (tokens[i].is_word("SET") || tokens[i].is_word("NO")))
        ++i;
      ++i;
    } else if (tokens[i].is_word("MATCH")) {
      i += 2;
    } else if (tokens[i].is_word("NOT") && i + 1 < end && tokens[i + 1].is_word("DEFERRABLE")) {
      i += 2;
      if (i + 1 < end && tokens[i].is_word("INITIALLY"))
        i += 2;
    } else if (tokens[i].is_word("DEFERRABLE")) {
      ++i;
      if (i + 1 < end && tokens[i].is_word("INITIALLY")) {
        key.deferrable = tokens[i + 1].is_word("DEFERRED");
        i += 2;
      }
    } else {
      break;
    }
  }
  return std::min(i, end);
}

void parse_column(const Tokens& tokens, std::size_t begin, std::size_t end,
                  ParsedCreateTable& table) {
  ParsedColumn column;
  column.name = name_of(tokens[begin]);
  std::size_t i = begin + 1;
  while (i < end && !starts_constraint(tokens[i]))
    i = tokens[i].is_punct('(') ? skip_parens(tokens, i) : i + 1; // the type
  std::string pending_name;
  while (i < end) {
    const Token& token = tokens[i];
    if (token.is_word("CONSTRAINT")) {
      pending_name = i + 1 < end ? name_of(tokens[i + 1]) : "";
      i += 2;
      continue;
    }
    if (token.is_word("PRIMARY")) {
      table.primary_key_name = pending_name;
      i += 2; // PRIMARY KEY
      if (i < end && (tokens[i].is_word("ASC") || tokens[i].is_word("DESC")))
        ++i;
      i = read_conflict(tokens, i, end, table.primary_key_conflict);
      if (i < end && tokens[i].is_word("AUTOINCREMENT")) {
        table.autoincrement = true;
        ++i;
      }
    } else if (token.is_word("DEFERRABLE") ||
               (token.is_word("NOT") && i + 1 < end && tokens[i + 1].is_word("DEFERRABLE"))) {
      // SQLite takes a deferrable clause as a constraint of its own, for the last
      // foreign key declared so far, even one of an earlier column.
      const bool negated = token.is_word("NOT");
      i += negated ? 2 : 1;
      bool deferred = false;
      if (i + 1 < end && tokens[i].is_word("INITIALLY")) {
        deferred = tokens[i + 1].is_word("DEFERRED");
        i += 2;
      }
      if (!table.foreign_keys.empty())
        table.foreign_keys.back().deferrable = !negated && deferred;
    } else if (token.is_word("NOT") || token.is_word("NULL")) {
      const bool not_null = token.is_word("NOT");
      i += not_null ? 2 : 1;
      std::string action;
      i = read_conflict(tokens, i, end, action);
      if (not_null)
        column.not_null_conflict = action;
    } else if (token.is_word("UNIQUE")) {
      UniqueConstraint unique{pending_name, {column.name}, {}};
      i = read_conflict(tokens, i + 1, end, unique.on_conflict);
      table.uniques.push_back(std::move(unique));
    } else if (token.is_word("CHECK")) {
      const std::size_t close = skip_parens(tokens, i + 1);
      table.checks.push_back({pending_name, canonical_sql(tokens, i + 2, close - 1)});
      i = close;
    } else if (token.is_word("DEFAULT")) {
      ++i;
      if (i < end && tokens[i].is_punct('('))
        i = skip_parens(tokens, i);
      else {
        if (i < end && (tokens[i].is_punct('-') || tokens[i].is_punct('+')))
          ++i;
        ++i;
      }
    } else if (token.is_word("COLLATE")) {
      column.collation = i + 1 < end ? name_of(tokens[i + 1]) : "";
      i += 2;
    } else if (token.is_word("REFERENCES")) {
      ParsedForeignKey key;
      key.name = pending_name;
      key.columns = {column.name};
      i = read_references(tokens, i, end, key);
      table.foreign_keys.push_back(std::move(key));
    } else if (token.is_word("GENERATED") || token.is_word("AS")) {
      if (token.is_word("GENERATED"))
        i += 2; // GENERATED ALWAYS
      ++i;      // AS
      const std::size_t close = skip_parens(tokens, i);
      column.generated = canonical_sql(tokens, i + 1, close - 1);
      i = close;
      if (i < end && (tokens[i].is_word("STORED") || tokens[i].is_word("VIRTUAL"))) {
        column.generated_stored = tokens[i].is_word("STORED");
        ++i;
      }
    } else {
      ++i; // something this parser need not understand
    }
    pending_name.clear();
  }
  table.columns.push_back(std::move(column));
}

void parse_table_constraint(const Tokens& tokens, std::size_t begin, std::size_t end,
                            ParsedCreateTable& table) {
  std::string name;
  std::size_t i = begin;
  if (tokens[i].is_word("CONSTRAINT")) {
    name = i + 1 < end ? name_of(tokens[i + 1]) : "";
    i += 2;
  }
  if (i >= end)
    return;
  std::size_t next = i;
  if (tokens[i].is_word("PRIMARY")) {
    table.primary_key_name = name;
    for (std::size_t k = i; k < end; ++k)
      if (tokens[k].is_word("AUTOINCREMENT"))
        table.autoincrement = true; // PRIMARY KEY (id AUTOINCREMENT), which SQLite accepts
    if (i + 2 < end && tokens[i + 2].is_punct('('))
      read_conflict(tokens, skip_parens(tokens, i + 2), end, table.primary_key_conflict);
  } else if (tokens[i].is_word("UNIQUE")) {
    if (i + 1 < end) {
      UniqueConstraint unique{name, name_list(tokens, i + 1, next), {}};
      read_conflict(tokens, next, end, unique.on_conflict);
      table.uniques.push_back(std::move(unique));
    }
  } else if (tokens[i].is_word("CHECK")) {
    const std::size_t close = skip_parens(tokens, i + 1);
    table.checks.push_back({name, canonical_sql(tokens, i + 2, close - 1)});
  } else if (tokens[i].is_word("FOREIGN")) {
    ParsedForeignKey key;
    key.name = name;
    if (i + 2 < end)
      key.columns = name_list(tokens, i + 2, next);
    if (next < end && tokens[next].is_word("REFERENCES"))
      read_references(tokens, next, end, key);
    table.foreign_keys.push_back(std::move(key));
  }
}

} // namespace

ParsedCreateTable parse_create_table(std::string_view sql) {
  ParsedCreateTable table;
  const Tokens tokens = tokenize_sql(sql);
  std::size_t open = 0;
  while (open < tokens.size() && !tokens[open].is_punct('('))
    ++open;
  if (open >= tokens.size())
    return table; // CREATE TABLE ... AS SELECT: nothing beyond the PRAGMAs
  const std::size_t close = skip_parens(tokens, open);
  for (const auto& [begin, end] : split_items(tokens, open + 1, close - 1)) {
    if (begin >= end)
      continue;
    const Token& first = tokens[begin];
    if (first.is_word("CONSTRAINT") || first.is_word("PRIMARY") || first.is_word("UNIQUE") ||
        first.is_word("CHECK") || first.is_word("FOREIGN"))
      parse_table_constraint(tokens, begin, end, table);
    else
      parse_column(tokens, begin, end, table);
  }
  for (std::size_t i = close; i < tokens.size(); ++i) {
    if (tokens[i].is_word("ROWID"))
      table.without_rowid = true;
    if (tokens[i].is_word("STRICT"))
      table.strict = true;
  }
  return table;
}

ParsedCreateIndex parse_create_index(std::string_view sql) {
  ParsedCreateIndex index;
  const Tokens tokens = tokenize_sql(sql);
  index.unique = tokens.size() > 1 && tokens[1].is_word("UNIQUE");
  std::size_t on = 0;
  while (on < tokens.size() && !tokens[on].is_word("ON"))
    ++on;
  std::size_t open = on;
  while (open < tokens.size() && !tokens[open].is_punct('('))
    ++open;
  if (open >= tokens.size())
    return index;
  const std::size_t close = skip_parens(tokens, open);
  for (auto [begin, end] : split_items(tokens, open + 1, close - 1)) {
    // ASC/DESC is index_xinfo's to report. A trailing COLLATE may be the key's
    // collation or bind to the last operand only (a * 2 COLLATE x): the introspector
    // decides with index_xinfo's answer.
    if (end > begin && (tokens[end - 1].is_word("ASC") || tokens[end - 1].is_word("DESC")))
      --end;
    ParsedIndexKey key;
    key.expression = canonical_sql(tokens, begin, end);
    if (end >= begin + 3 && tokens[end - 2].is_word("COLLATE")) {
      key.trailing_collation = name_of(tokens[end - 1]);
      std::size_t inner_begin = begin, inner_end = end - 2;
      if (tokens[inner_begin].is_punct('(') && skip_parens(tokens, inner_begin) == inner_end) {
        ++inner_begin;
        --inner_end;
      }
      key.without_collation = canonical_sql(tokens, inner_begin, inner_end);
    }
    index.keys.push_back(std::move(key));
  }
  if (close < tokens.size() && tokens[close].is_word("WHERE"))
    index.where = canonical_sql(tokens, close + 1, tokens.size());
  return index;
}

std::vector<std::string> parse_view_columns(std::string_view sql) {
  const Tokens tokens = tokenize_sql(sql);
  std::size_t i = 0;
  while (i < tokens.size() && !tokens[i].is_word("VIEW"))
    ++i;
  // VIEW [IF NOT EXISTS] [schema.]name [( columns )] AS
  for (++i; i < tokens.size() && !tokens[i].is_word("AS"); ++i) {
    if (tokens[i].is_punct('(')) {
      std::size_t next = i;
      return name_list(tokens, i, next);
    }
  }
  return {};
}

std::string parse_view_select(std::string_view sql) {
  const Tokens tokens = tokenize_sql(sql);
  std::size_t i = 0;
  while (i < tokens.size() && !tokens[i].is_word("VIEW"))
    ++i;
  // The first AS at depth 0 after the view's name (and optional column list).
  int depth = 0;
  for (++i; i < tokens.size(); ++i) {
    if (tokens[i].is_punct('('))
      ++depth;
    else if (tokens[i].is_punct(')'))
      --depth;
    else if (depth == 0 && tokens[i].is_word("AS"))
      return canonical_sql(tokens, i + 1, tokens.size());
  }
  return canonical_sql(tokens, 0, tokens.size());
}

} // namespace dbtool::schema
