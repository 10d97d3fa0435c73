#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

// The schema model: what a database holds, or what a project declares, as data.
// Both sides of every comparison are built by introspecting a SQLite database (the
// live one, or an in-memory one the declared models were loaded into), so equal
// schemas give equal models. Containers are ordered by name or by declaration
// position, so equality, ordering and printing are deterministic.
namespace dbtool::schema {

// The type affinity SQLite gives a declared type (section 3.1 of its datatype page).
enum class Affinity { Integer, Text, Blob, Real, Numeric };
Affinity type_affinity(const std::string& declared_type);

struct Column {
  std::string name;
  std::string type; // the declared type, as written ("VARCHAR(20)")
  bool not_null = false;
  std::optional<std::string> default_sql; // the DEFAULT expression as SQLite keeps it
  std::string collation;                  // empty: the default (BINARY)
  std::optional<std::string> generated;   // GENERATED ALWAYS AS (expression)
  bool generated_stored = false;
  std::string not_null_conflict; // NOT NULL ON CONFLICT <this>; empty: the default, ABORT
  std::string identity;          // PostgreSQL: "ALWAYS" or "BY DEFAULT" for an identity column
  std::string comment;           // PostgreSQL: COMMENT ON COLUMN
  // PostgreSQL: the options of the column's own sequence (identity or serial) that are
  // not what its type gives by default, in CREATE SEQUENCE's order: "AS integer" (a
  // serial column retyped without its sequence), "INCREMENT BY 10 START WITH 100"...
  std::string sequence_options{};
  bool operator==(const Column&) const = default;
};

struct PrimaryKey {
  std::string name; // empty: unnamed
  std::vector<std::string> columns;
  bool autoincrement = false;
  std::string on_conflict; // ON CONFLICT <this>; empty: the default, ABORT
  // PostgreSQL: DEFERRABLE INITIALLY DEFERRED; DEFERRABLE (INITIALLY IMMEDIATE); the
  // columns of INCLUDE; the index's storage parameters (WITH (fillfactor=70)); COMMENT ON.
  bool deferrable = false;
  bool deferrable_immediate = false;
  std::vector<std::string> include{};
  std::vector<std::string> storage_parameters{};
  std::string comment{};
  bool operator==(const PrimaryKey&) const = default;
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;
  std::vector<std::string> ref_columns; // empty: the referenced table's primary key
  std::string on_delete = "NO ACTION";
  std::string on_update = "NO ACTION";
  bool deferrable = false; // DEFERRABLE INITIALLY DEFERRED
  // PostgreSQL: DEFERRABLE INITIALLY IMMEDIATE (deferrable stays false: not deferred
  // unless SET CONSTRAINTS asks); MATCH FULL ("FULL"; empty: MATCH SIMPLE); COMMENT ON.
  bool deferrable_immediate = false;
  std::string match{};
  std::string comment{};
  bool operator==(const ForeignKey&) const = default;
};

// One key of an index: a column, or an expression (then COLUMN is empty).
struct IndexKey {
  std::string column;
  std::string expression; // canonical SQL
  std::string collation;
  bool descending = false;
  std::string nulls;   // PostgreSQL: "FIRST" or "LAST" where not the default of the order
  std::string opclass; // PostgreSQL: an operator class other than the type's default
  bool operator==(const IndexKey&) const = default;
};

struct Index {
  std::string name;
  bool unique = false;
  std::vector<IndexKey> keys;
  std::optional<std::string> where; // partial index predicate, canonical SQL
  std::string method;               // PostgreSQL: the access method when not btree (gin, gist...)
  // PostgreSQL: UNIQUE NULLS NOT DISTINCT; INCLUDE (columns); WITH (storage parameters,
  // as "fillfactor=70"); COMMENT ON INDEX.
  bool nulls_not_distinct = false;
  std::vector<std::string> include{};
  std::vector<std::string> storage_parameters{};
  std::string comment{};
  bool operator==(const Index&) const = default;
};

struct UniqueConstraint {
  std::string name;
  std::vector<std::string> columns;
  std::string on_conflict; // ON CONFLICT <this>; empty: the default, ABORT
  // PostgreSQL: as PrimaryKey's, and NULLS NOT DISTINCT.
  bool deferrable = false;
  bool deferrable_immediate = false;
  bool nulls_not_distinct = false;
  std::vector<std::string> include{};
  std::vector<std::string> storage_parameters{};
  std::string comment{};
  bool operator==(const UniqueConstraint&) const = default;
};

struct CheckConstraint {
  std::string name;
  std::string expression;  // canonical SQL
  bool no_inherit = false; // PostgreSQL: NO INHERIT
  std::string comment{};   // PostgreSQL: COMMENT ON CONSTRAINT
  bool operator==(const CheckConstraint&) const = default;
};

// PostgreSQL's EXCLUDE constraint, kept as the server prints its definition.
struct ExclusionConstraint {
  std::string name;
  std::string definition; // EXCLUDE USING gist (...) [WHERE (...)]
  std::string comment{};
  bool operator==(const ExclusionConstraint&) const = default;
};

struct Table {
  std::string name;
  std::vector<Column> columns; // in declaration order
  std::optional<PrimaryKey> primary_key;
  std::vector<ForeignKey> foreign_keys;             // in declaration order
  std::vector<UniqueConstraint> unique_constraints; // in declaration order
  std::vector<CheckConstraint> checks;              // in declaration order
  std::map<std::string, Index> indexes;             // CREATE INDEX ones, by name
  std::vector<ExclusionConstraint> exclusions;      // PostgreSQL, by name
  bool without_rowid = false;
  bool strict = false;
  std::string comment;                           // PostgreSQL: COMMENT ON TABLE
  std::vector<std::string> storage_parameters{}; // PostgreSQL: WITH (fillfactor=70, ...)

  const Column* find_column(const std::string& column) const;
  // A column by name, as SQLite finds it: without regard to case.
  const Column* find_column_ignoring_case(const std::string& column) const;
  // Whether COLUMN is an alias of the rowid (INTEGER PRIMARY KEY of a rowid table).
  bool is_rowid_alias(const std::string& column) const;
  bool operator==(const Table&) const = default;
};

struct View {
  std::string name;
  std::string sql;                  // the SELECT, canonical
  std::vector<std::string> columns; // CREATE VIEW v (x, y): the column names; usually none
  bool materialized = false;        // PostgreSQL: CREATE MATERIALIZED VIEW
  std::string comment{};            // PostgreSQL: COMMENT ON VIEW
  bool operator==(const View&) const = default;
};

struct Trigger {
  std::string name;
  std::string table;
  std::string sql; // the whole CREATE TRIGGER statement, canonical
  bool operator==(const Trigger&) const = default;
};

// PostgreSQL: CREATE TYPE name AS ENUM (values...).
struct EnumType {
  std::string name;
  std::vector<std::string> values; // in their sort order
  std::string comment{};           // COMMENT ON TYPE
  bool operator==(const EnumType&) const = default;
};

// PostgreSQL: CREATE DOMAIN name AS definition (base type, DEFAULT, NOT NULL, CHECKs).
struct Domain {
  std::string name;
  std::string definition; // "integer NOT NULL CONSTRAINT positive CHECK (VALUE > 0)"
  std::string comment{};  // COMMENT ON DOMAIN
  bool operator==(const Domain&) const = default;
};

// PostgreSQL: a sequence no column owns (identity and serial sequences belong to their
// column and are not listed).
struct Sequence {
  std::string name;
  std::string type = "bigint";
  std::int64_t start = 1;
  std::int64_t increment = 1;
  // MINVALUE, MAXVALUE, CACHE and CYCLE where they are not the defaults
  // ("MAXVALUE 1000 CYCLE"), in CREATE SEQUENCE's order.
  std::string options{};
  std::string comment{}; // COMMENT ON SEQUENCE
  bool operator==(const Sequence&) const = default;
};

// PostgreSQL: a function or procedure of the schema (trigger functions, mostly), as
// pg_get_functiondef prints it.
struct Routine {
  std::string name; // name(argument types): overloads are distinct
  std::string definition;
  std::string comment{}; // COMMENT ON FUNCTION / PROCEDURE
  bool operator==(const Routine&) const = default;
};

// PostgreSQL: an extension the database has (CREATE EXTENSION), by name.
struct Extension {
  std::string name;
  bool operator==(const Extension&) const = default;
};

struct Schema {
  // A table by name, as SQLite finds it: without regard to case.
  const Table* find_table(const std::string& name) const;

  std::map<std::string, Table> tables;
  std::map<std::string, View> views;
  std::map<std::string, Trigger> triggers;
  std::map<std::string, EnumType> enums;       // PostgreSQL
  std::map<std::string, Domain> domains;       // PostgreSQL
  std::map<std::string, Sequence> sequences;   // PostgreSQL
  std::map<std::string, Routine> routines;     // PostgreSQL
  std::map<std::string, Extension> extensions; // PostgreSQL (all but plpgsql)
  bool operator==(const Schema&) const = default;
};

// NAMES (tables of SCHEMA) ordered parents before children along their foreign keys,
// matched without regard to case as SQLite matches names (for PostgreSQL, two tables
// whose names differ only in case are merely ordered as well); cycles are broken where
// they close.
std::vector<std::string> parents_first(const Schema& schema, const std::set<std::string>& names);

// The item of ITEMS (columns, constraints, ...) named exactly NAME, or null: on
// PostgreSQL, where names keep their case and a schema's lists are short.
template <typename Item>
const Item* find_by_name(const std::vector<Item>& items, const std::string& name) {
  for (const auto& item : items)
    if (item.name == name)
      return &item;
  return nullptr;
}
template <typename Item> Item* find_by_name(std::vector<Item>& items, const std::string& name) {
  return const_cast<Item*>(find_by_name(std::as_const(items), name));
}

// ITEM without its comment: on PostgreSQL a comment alone changes by COMMENT ON, never by
// making the object again.
template <typename Item> Item uncommented(Item item) {
  item.comment.clear();
  return item;
}

} // namespace dbtool::schema
