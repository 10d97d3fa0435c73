#pragma once

#include "dbtool/schema/schema.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What SQLite's PRAGMAs do not tell, read from the CREATE text that sqlite_schema
// keeps: constraint names, CHECK expressions, collations, generated columns,
// AUTOINCREMENT, deferrable foreign keys, index expressions and WHERE clauses. The
// text was accepted by SQLite, so these parsers only locate; they never validate.
namespace dbtool::schema {

struct ParsedColumn {
  std::string name;
  std::string collation;
  std::optional<std::string> generated;
  bool generated_stored = false;
  std::string not_null_conflict;
};

struct ParsedForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;
  bool deferrable = false; // DEFERRABLE INITIALLY DEFERRED
};

struct ParsedCreateTable {
  std::vector<ParsedColumn> columns;
  std::string primary_key_name;
  std::string primary_key_conflict;
  bool autoincrement = false;
  std::vector<UniqueConstraint> uniques;
  std::vector<CheckConstraint> checks;
  std::vector<ParsedForeignKey> foreign_keys;
  bool without_rowid = false;
  bool strict = false;
};

ParsedCreateTable parse_create_table(std::string_view sql);

struct ParsedIndexKey {
  std::string expression; // canonical text of the key, without ASC/DESC
  // When the key ends in COLLATE name: that name, and the text before it (with one
  // pair of parentheses around the whole removed).
  std::string trailing_collation;
  std::string without_collation;
};

struct ParsedCreateIndex {
  bool unique = false; // CREATE UNIQUE INDEX
  std::vector<ParsedIndexKey> keys;
  std::optional<std::string> where;
};

ParsedCreateIndex parse_create_index(std::string_view sql);

// The SELECT of CREATE VIEW name AS SELECT ..., canonical.
std::string parse_view_select(std::string_view sql);
// The column list of CREATE VIEW name (x, y) AS ...; empty when there is none.
std::vector<std::string> parse_view_columns(std::string_view sql);

} // namespace dbtool::schema
