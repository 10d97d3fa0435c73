#include "dbtool/diff/schema_diff.h"

#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace dbtool::diff {

using schema::Column;
using schema::Index;
using schema::Schema;
using schema::Table;
using schema::Token;
using schema::uncommented;

namespace {

// How two schemas compare on a backend. SQLite matches names without regard to case
// and keeps types and expressions as they were written (compared with same_sql);
// PostgreSQL matches names exactly and prints types and expressions itself, on both
// sides, so its texts compare exactly.
class Rules {
 public:
  explicit Rules(config::Backend backend) : m_sqlite(backend == config::Backend::Sqlite) {}

  bool sqlite() const { return m_sqlite; }
  bool same_name(const std::string& a, const std::string& b) const {
    return m_sqlite ? util::equals_ignoring_case(a, b) : a == b;
  }
  bool same_names(const std::vector<std::string>& a, const std::vector<std::string>& b) const {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [this](const std::string& x, const std::string& y) {
                                                return same_name(x, y);
                                              });
  }
  std::string fold(const std::string& name) const { return m_sqlite ? util::to_lower(name) : name; }
  bool same_text(const std::string& a, const std::string& b) const {
    return m_sqlite ? same_sql(a, b) : a == b;
  }
  bool same_text(const std::optional<std::string>& a, const std::optional<std::string>& b) const {
    return a.has_value() == b.has_value() && (!a || same_text(*a, *b));
  }
  // SQLite's TRUE and FALSE are the integers 1 and 0: a default spelled either way
  // stores the same value.
  bool same_default(const std::optional<std::string>& a,
                    const std::optional<std::string>& b) const {
    if (same_text(a, b))
      return true;
    if (!m_sqlite || !a || !b)
      return false;
    const auto truth = [](const std::string& text) {
      const std::string word = util::to_lower(std::string(util::trim(text)));
      return word == "true" || word == "1" ? 1 : word == "false" || word == "0" ? 0 : -1;
    };
    return truth(*a) >= 0 && truth(*a) == truth(*b);
  }
  const Table* find_table(const Schema& schema, const std::string& name) const {
    if (m_sqlite)
      return schema.find_table(name);
    const auto found = schema.tables.find(name);
    return found == schema.tables.end() ? nullptr : &found->second;
  }
  const Column* find_column(const Table& table, const std::string& name) const {
    return m_sqlite ? table.find_column_ignoring_case(name) : table.find_column(name);
  }

 private:
  bool m_sqlite;
};

std::string show(const std::optional<std::string>& sql) {
  return sql ? *sql : "none";
}

std::string or_default(const std::string& text, const char* fallback) {
  return text.empty() ? fallback : text;
}

// What differs between two versions of one column, in words; empty when nothing.
std::vector<std::string> column_changes(const Column& a, const Column& b, const Rules& rules) {
  std::vector<std::string> changes;
  const std::string prefix = "column " + b.name + ": ";
  if (!rules.same_text(a.type, b.type))
    changes.push_back(prefix + "type " + or_default(a.type, "(none)") + " -> " +
                      or_default(b.type, "(none)"));
  if (a.not_null != b.not_null)
    changes.push_back(prefix + (b.not_null ? "NULL -> NOT NULL" : "NOT NULL -> NULL"));
  if (!rules.same_default(a.default_sql, b.default_sql))
    changes.push_back(prefix + "default " + show(a.default_sql) + " -> " + show(b.default_sql));
  if (rules.fold(a.collation) != rules.fold(b.collation))
    changes.push_back(prefix + "collation " +
                      or_default(a.collation, rules.sqlite() ? "BINARY" : "default") + " -> " +
                      or_default(b.collation, rules.sqlite() ? "BINARY" : "default"));
  if (a.not_null_conflict != b.not_null_conflict)
    changes.push_back(prefix + "NOT NULL ON CONFLICT " + or_default(a.not_null_conflict, "ABORT") +
                      " -> " + or_default(b.not_null_conflict, "ABORT"));
  if (!rules.same_text(a.generated, b.generated) || a.generated_stored != b.generated_stored)
    changes.push_back(prefix + "generated " + show(a.generated) + " -> " + show(b.generated));
  if (a.identity != b.identity)
    changes.push_back(prefix + "identity " + or_default(a.identity, "none") + " -> " +
                      or_default(b.identity, "none"));
  if (a.comment != b.comment)
    changes.push_back(prefix + "comment");
  if (a.sequence_options != b.sequence_options)
    changes.push_back(prefix + "sequence " + or_default(a.sequence_options, "defaults") + " -> " +
                      or_default(b.sequence_options, "defaults"));
  return changes;
}

// A type as a family and the sizes that bound its values, for narrows().
struct TypeShape {
  enum class Family { Integer, Float, Numeric, Text, Timestamp, Date, Boolean, Other };
  Family family = Family::Other;
  int rank = 0;            // Integer: bytes; Float: bytes; Timestamp: 1 with time zone
  std::vector<long> sizes; // varchar(n), numeric(p,s); empty: unbounded
  std::string base;        // lower-cased, without the sizes
};

TypeShape shape_of(const std::string& type) {
  TypeShape shape;
  std::string text = util::to_lower(std::string(util::trim(type)));
  const auto open = text.find('(');
  if (open != std::string::npos) {
    const auto close = text.find(')', open);
    for (const auto& part : util::split_list(text.substr(open + 1, close - open - 1)))
      shape.sizes.push_back(std::atol(part.c_str()));
    text = std::string(util::trim(text.substr(0, open) +
                                  (close == std::string::npos ? "" : text.substr(close + 1))));
  }
  shape.base = text;
  using Family = TypeShape::Family;
  static const std::map<std::string, std::pair<Family, int>> known = {
      {"tinyint", {Family::Integer, 1}},
      {"smallint", {Family::Integer, 2}},
      {"int2", {Family::Integer, 2}},
      {"int", {Family::Integer, 4}},
      {"integer", {Family::Integer, 4}},
      {"int4", {Family::Integer, 4}},
      {"mediumint", {Family::Integer, 4}},
      {"bigint", {Family::Integer, 8}},
      {"int8", {Family::Integer, 8}},
      {"real", {Family::Float, 4}},
      {"float4", {Family::Float, 4}},
      {"float", {Family::Float, 8}},
      {"float8", {Family::Float, 8}},
      {"double", {Family::Float, 8}},
      {"double precision", {Family::Float, 8}},
      {"numeric", {Family::Numeric, 0}},
      {"decimal", {Family::Numeric, 0}},
      {"text", {Family::Text, 0}},
      {"clob", {Family::Text, 0}},
      {"varchar", {Family::Text, 0}},
      {"character varying", {Family::Text, 0}},
      {"char", {Family::Text, 0}},
      {"character", {Family::Text, 0}},
      {"nvarchar", {Family::Text, 0}},
      {"timestamp", {Family::Timestamp, 0}},
      {"datetime", {Family::Timestamp, 0}},
      {"timestamp without time zone", {Family::Timestamp, 0}},
      {"timestamptz", {Family::Timestamp, 1}},
      {"timestamp with time zone", {Family::Timestamp, 1}},
      {"date", {Family::Date, 0}},
      {"boolean", {Family::Boolean, 0}},
      {"bool", {Family::Boolean, 0}}};
  if (const auto found = known.find(text); found != known.end()) {
    shape.family = found->second.first;
    shape.rank = found->second.second;
  }
  return shape;
}

// Whether bounded SIZES (n, or p and s) hold fewer values than OLD_SIZES; empty sizes
// are unbounded.
bool smaller(const std::vector<long>& old_sizes, const std::vector<long>& new_sizes, bool numeric) {
  if (new_sizes.empty())
    return false;
  if (old_sizes.empty())
    return true;
  if (!numeric)
    return new_sizes[0] < old_sizes[0];
  const long old_scale = old_sizes.size() > 1 ? old_sizes[1] : 0;
  const long new_scale = new_sizes.size() > 1 ? new_sizes[1] : 0;
  return new_sizes[0] - new_scale < old_sizes[0] - old_scale || new_scale < old_scale;
}

} // namespace

bool narrows(const std::string& a, const std::string& b) {
  if (same_sql(a, b))
    return false;
  using Family = TypeShape::Family;
  const TypeShape from = shape_of(a), to = shape_of(b);
  if (from.family != Family::Other && from.family == to.family) {
    switch (from.family) {
    case Family::Integer:
    case Family::Float:
      return to.rank < from.rank;
    case Family::Timestamp:
      return to.rank < from.rank; // the time zone dropped
    case Family::Numeric:
      return smaller(from.sizes, to.sizes, true);
    case Family::Text:
      return smaller(from.sizes, to.sizes, false);
    default:
      return false;
    }
  }
  // Between families: integers fit in floats and unbounded numerics, dates in timestamps.
  if (from.family == Family::Integer &&
      (to.family == Family::Float || (to.family == Family::Numeric && to.sizes.empty())))
    return false;
  if (from.family == Family::Date && to.family == Family::Timestamp)
    return false;
  if (from.family != Family::Other || to.family != Family::Other) {
    // A known type on either side: any other value of a BLOB or untyped column (SQLite)
    // is kept as it is.
    return !(to.family == Family::Other && schema::type_affinity(b) == schema::Affinity::Blob);
  }
  // Two types dbtool knows only by SQLite's affinity (json, uuid, blob, enums...).
  using schema::Affinity;
  const Affinity old_affinity = schema::type_affinity(a), new_affinity = schema::type_affinity(b);
  if (old_affinity != new_affinity)
    return new_affinity != Affinity::Blob &&
           !(old_affinity == Affinity::Integer &&
             (new_affinity == Affinity::Real || new_affinity == Affinity::Numeric));
  if (from.base != to.base)
    return !(from.base == "json" && to.base == "jsonb");
  return smaller(from.sizes, to.sizes, false);
}

namespace {

std::string describe_pk(const std::optional<schema::PrimaryKey>& key) {
  if (!key)
    return "none";
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + temporary.
  std::string text;
  if (!key->name.empty())
    text = key->name + " ";
  text += '(';
  text += util::join(key->columns, ", ");
  text += ')';
  if (key->autoincrement)
    text += " AUTOINCREMENT";
  if (!key->on_conflict.empty())
    text += " ON CONFLICT " + key->on_conflict;
  return text;
}

// ITEMS as a multiset of their KEYs: constraints compare without regard to order.
template <typename T, typename Key>
std::multiset<std::string> keys_of(const std::vector<T>& items, Key key) {
  std::multiset<std::string> out;
  for (const auto& item : items)
    out.insert(key(item));
  return out;
}

// Whether two lists of constraints hold the same constraints, in any order. SQLite's
// may be unnamed and compare by what they say; PostgreSQL names every one, and they
// compare whole.
template <typename T, typename SqliteKey>
bool same_constraints(const std::vector<T>& a, const std::vector<T>& b, const Rules& rules,
                      SqliteKey sqlite_key) {
  if (rules.sqlite())
    return keys_of(a, sqlite_key) == keys_of(b, sqlite_key);
  if (a.size() != b.size())
    return false;
  return std::all_of(a.begin(), a.end(),
                     [&](const T& item) { return std::find(b.begin(), b.end(), item) != b.end(); });
}

// What changes between two lists of one kind of constraint, in words: by name when
// every one has a name ("check positive_price changed"), as a whole otherwise.
template <typename T, typename SqliteKey>
void describe_constraints(const std::vector<T>& a, const std::vector<T>& b, const Rules& rules,
                          SqliteKey sqlite_key, const std::string& kind,
                          std::vector<std::string>& changes) {
  if (same_constraints(a, b, rules, sqlite_key))
    return;
  const auto named = [](const T& item) { return !item.name.empty(); };
  if (!std::all_of(a.begin(), a.end(), named) || !std::all_of(b.begin(), b.end(), named)) {
    changes.push_back(kind + (kind == "foreign key" ? "s" : " constraints") + " changed");
    return;
  }
  auto find = [&](const std::vector<T>& items, const std::string& name) -> const T* {
    for (const auto& item : items)
      if (rules.same_name(item.name, name))
        return &item;
    return nullptr;
  };
  for (const auto& item : a) {
    const T* other = find(b, item.name);
    if (other == nullptr)
      changes.push_back(kind + " " + item.name + " dropped");
    else if (!rules.sqlite() && !(item == *other) && uncommented(item) == uncommented(*other))
      changes.push_back(kind + " " + item.name + ": comment");
    else if (!same_constraints(std::vector<T>{item}, std::vector<T>{*other}, rules, sqlite_key))
      changes.push_back(kind + " " + item.name + " changed");
  }
  for (const auto& item : b)
    if (find(a, item.name) == nullptr)
      changes.push_back(kind + " " + item.name + " added");
}

bool same_primary_key(const Table& a, const Table& b, const Rules& rules) {
  if (!rules.sqlite())
    return a.primary_key == b.primary_key;
  return a.primary_key.has_value() == b.primary_key.has_value() &&
         (!a.primary_key || (rules.same_names(a.primary_key->columns, b.primary_key->columns) &&
                             rules.fold(a.primary_key->name) == rules.fold(b.primary_key->name) &&
                             a.primary_key->autoincrement == b.primary_key->autoincrement &&
                             a.primary_key->on_conflict == b.primary_key->on_conflict));
}

// Changes to the table as a whole: keys, constraints, options, in words.
std::vector<std::string> table_changes(const Table& a, const Table& b, const Rules& rules) {
  std::vector<std::string> changes;
  if (!rules.sqlite() && a.primary_key && b.primary_key && !(a.primary_key == b.primary_key) &&
      uncommented(*a.primary_key) == uncommented(*b.primary_key))
    changes.push_back("primary key " + b.primary_key->name + ": comment");
  else if (!same_primary_key(a, b, rules))
    changes.push_back(
        "primary key " + describe_pk(a.primary_key) + " -> " + describe_pk(b.primary_key) +
        (a.primary_key && b.primary_key && describe_pk(a.primary_key) == describe_pk(b.primary_key)
             ? " (its options)"
             : ""));
  const auto fk_key = [&](const schema::ForeignKey& key) {
    return rules.fold(key.name) + "|" + rules.fold(util::join(key.columns, ",")) + "|" +
           rules.fold(key.ref_table) + "|" + rules.fold(util::join(key.ref_columns, ",")) + "|" +
           key.on_delete + "|" + key.on_update + "|" + (key.deferrable ? "d" : "");
  };
  const auto unique_key = [&](const schema::UniqueConstraint& unique) {
    return rules.fold(unique.name) + "|" + rules.fold(util::join(unique.columns, ",")) + "|" +
           unique.on_conflict;
  };
  const auto check_key = [&](const schema::CheckConstraint& check) {
    return rules.fold(check.name) + "|" + util::to_lower(schema::canonical_sql(check.expression));
  };
  const auto exclusion_key = [](const schema::ExclusionConstraint& exclusion) {
    return exclusion.name + "|" + exclusion.definition;
  };
  describe_constraints(a.foreign_keys, b.foreign_keys, rules, fk_key, "foreign key", changes);
  describe_constraints(a.unique_constraints, b.unique_constraints, rules, unique_key, "unique",
                       changes);
  describe_constraints(a.checks, b.checks, rules, check_key, "check", changes);
  describe_constraints(a.exclusions, b.exclusions, rules, exclusion_key, "exclusion", changes);
  if (a.without_rowid != b.without_rowid)
    changes.push_back(b.without_rowid ? "now WITHOUT ROWID" : "no longer WITHOUT ROWID");
  if (a.strict != b.strict)
    changes.push_back(b.strict ? "now STRICT" : "no longer STRICT");
  if (a.comment != b.comment)
    changes.push_back("comment");
  if (a.storage_parameters != b.storage_parameters)
    changes.push_back("storage parameters (" + util::join(a.storage_parameters, ", ") + ") -> (" +
                      util::join(b.storage_parameters, ", ") + ")");
  if (a.name != b.name) // SQLite: only the case differs
    changes.push_back("name " + a.name + " -> " + b.name);
  return changes;
}

bool same_index(const Index& a, const Index& b, const Rules& rules) {
  if (!rules.sqlite())
    return uncommented(a) == uncommented(b);
  if (a.unique != b.unique || a.keys.size() != b.keys.size() || !rules.same_text(a.where, b.where))
    return false;
  for (std::size_t i = 0; i < a.keys.size(); ++i) {
    const auto& x = a.keys[i];
    const auto& y = b.keys[i];
    if (!rules.same_name(x.column, y.column) || !same_sql(x.expression, y.expression) ||
        rules.fold(x.collation) != rules.fold(y.collation) || x.descending != y.descending)
      return false;
  }
  return true;
}

bool same_view(const schema::View& a, const schema::View& b, const Rules& rules) {
  if (!rules.sqlite())
    return uncommented(a) == uncommented(b);
  return same_sql(a.sql, b.sql) && rules.same_names(a.columns, b.columns);
}

bool same_trigger(const schema::Trigger& a, const schema::Trigger& b, const Rules& rules) {
  return rules.sqlite() ? same_sql(a.sql, b.sql) : a == b;
}

// The columns of a table as a sorted list of names and types: a dropped and an added
// table of the same shape are likely one table renamed.
std::string shape(const Table& table) {
  std::vector<std::string> columns;
  for (const auto& column : table.columns)
    columns.push_back(util::to_lower(column.name) + " " + util::to_lower(column.type));
  std::sort(columns.begin(), columns.end());
  return util::join(columns, ",");
}

Operation make(OperationKind kind, const std::string& table, const std::string& object = {},
               bool destructive = false) {
  return Operation{kind, table, object, {}, destructive, {}};
}

// Collects the operations by the group they run in, and lays them out in order.
class Plan {
 public:
  enum Group {
    DropTriggers,
    DropViews,
    DropIndexes,
    CreateObjects,
    CreateTables,
    AlterTables,
    DropTables,
    CreateIndexes,
    CreateViews,
    CreateTriggers,
    DropObjects,
    Groups
  };
  void add(Group group, Operation operation) { m_groups[group].push_back(std::move(operation)); }
  std::vector<Operation> finish() {
    std::vector<Operation> out;
    for (auto& group : m_groups)
      std::move(group.begin(), group.end(), std::back_inserter(out));
    return out;
  }

 private:
  std::vector<Operation> m_groups[Groups];
};

void compare_tables(const Schema& from, const Schema& to, const Rules& rules, Plan& plan) {
  std::set<std::string> added, dropped;
  for (const auto& [name, table] : to.tables)
    if (rules.find_table(from, name) == nullptr)
      added.insert(name);
  for (const auto& [name, table] : from.tables)
    if (rules.find_table(to, name) == nullptr)
      dropped.insert(name);

  std::map<std::string, std::string> added_shapes, dropped_shapes;
  if (!added.empty() && !dropped.empty()) {
    for (const auto& name : added)
      added_shapes[name] = shape(to.tables.at(name));
    for (const auto& name : dropped)
      dropped_shapes[name] = shape(from.tables.at(name));
  }
  for (const auto& name : schema::parents_first(to, added)) {
    Operation operation = make(OperationKind::CreateTable, name);
    for (const auto& [gone, gone_shape] : dropped_shapes)
      if (gone_shape == added_shapes[name])
        operation.note = "possible rename of table " + gone;
    plan.add(Plan::CreateTables, std::move(operation));
    for (const auto& [index_name, index] : to.tables.at(name).indexes)
      plan.add(Plan::CreateIndexes, make(OperationKind::CreateIndex, name, index_name));
  }
  auto dropped_order = schema::parents_first(from, dropped);
  std::reverse(dropped_order.begin(), dropped_order.end());
  for (const auto& name : dropped_order) {
    Operation operation = make(OperationKind::DropTable, name, {}, true);
    for (const auto& [fresh, fresh_shape] : added_shapes)
      if (fresh_shape == dropped_shapes[name])
        operation.note = "possible rename to table " + fresh;
    plan.add(Plan::DropTables, std::move(operation));
  }

  // Surviving tables, parents first: an added key is there before a child refers to it.
  std::set<std::string> surviving;
  for (const auto& [name, table] : to.tables)
    if (added.count(name) == 0)
      surviving.insert(name);
  for (const auto& name : schema::parents_first(to, surviving)) {
    const Table& after = to.tables.at(name);
    const Table& before = *rules.find_table(from, name);
    if (before == after)
      continue; // the common case, at the models: nothing to look into
    std::vector<std::string> changes = table_changes(before, after, rules);
    for (const auto& [index_name, index] : after.indexes) // a comment alone (PostgreSQL)
      if (const auto other = before.indexes.find(index_name);
          other != before.indexes.end() && same_index(other->second, index, rules) &&
          other->second.comment != index.comment)
        changes.push_back("index " + index_name + ": comment");
    bool narrowing = false;
    std::vector<const Column*> new_columns, old_columns;
    std::vector<std::string> surviving_before, surviving_after;
    for (const auto& column : before.columns) {
      if (const Column* other = rules.find_column(after, column.name)) {
        surviving_before.push_back(rules.fold(column.name));
        for (auto& change : column_changes(column, *other, rules))
          changes.push_back(std::move(change));
        narrowing = narrowing || (!rules.same_text(column.type, other->type) &&
                                  narrows(column.type, other->type));
      } else {
        old_columns.push_back(&column);
      }
    }
    bool added_at_end = true;
    for (const auto& column : after.columns) {
      if (rules.find_column(before, column.name) != nullptr) {
        surviving_after.push_back(rules.fold(column.name));
        if (!new_columns.empty())
          added_at_end = false;
      } else {
        new_columns.push_back(&column);
      }
    }
    // PostgreSQL cannot reorder columns and appends what it adds: order is SQLite's.
    if (rules.sqlite() && (surviving_before != surviving_after || !added_at_end))
      changes.push_back("column order changed");
    std::string rename_note;
    for (const Column* gone : old_columns)
      for (const Column* fresh : new_columns)
        if (rules.same_text(gone->type, fresh->type))
          rename_note = "column " + fresh->name + " may be a rename of " + gone->name;
    if (!changes.empty()) {
      Operation operation = make(OperationKind::AlterTable, name, {}, narrowing);
      operation.changes = std::move(changes);
      plan.add(Plan::AlterTables, std::move(operation));
    }
    for (const Column* column : old_columns) {
      Operation operation = make(OperationKind::DropColumn, name, column->name, true);
      operation.note = rename_note;
      plan.add(Plan::AlterTables, std::move(operation));
    }
    for (const Column* column : new_columns) {
      Operation operation = make(OperationKind::AddColumn, name, column->name);
      operation.note = rename_note;
      plan.add(Plan::AlterTables, std::move(operation));
    }

    for (const auto& [index_name, index] : before.indexes) {
      const auto other = after.indexes.find(index_name);
      if (other == after.indexes.end() || !same_index(index, other->second, rules))
        plan.add(Plan::DropIndexes, make(OperationKind::DropIndex, name, index_name));
    }
    for (const auto& [index_name, index] : after.indexes) {
      const auto other = before.indexes.find(index_name);
      if (other == before.indexes.end() || !same_index(index, other->second, rules))
        plan.add(Plan::CreateIndexes, make(OperationKind::CreateIndex, name, index_name));
    }
  }
}

// Index names are global to a schema: an index whose name the new schema gives to an
// index of another table is dropped first, before a create uses the name again.
void free_index_names(const Schema& from, const Schema& to, const Rules& rules,
                      const std::vector<Operation>& planned, Plan& plan) {
  std::map<std::string, std::string> new_owner; // folded index name -> folded table
  for (const auto& [name, table] : to.tables)
    for (const auto& [index_name, index] : table.indexes)
      new_owner[rules.fold(index_name)] = rules.fold(name);
  for (const auto& [name, table] : from.tables)
    for (const auto& [index_name, index] : table.indexes) {
      const auto owner = new_owner.find(rules.fold(index_name));
      // (A table dropped later would take its indexes along too late: a rebuild makes
      // its table's indexes before tables are dropped.)
      if (owner == new_owner.end() || owner->second == rules.fold(name))
        continue;
      const std::string& dropped = index_name; // (a structured binding, not capturable in C++17)
      const bool scheduled = std::any_of(planned.begin(), planned.end(), [&](const Operation& o) {
        return o.kind == OperationKind::DropIndex && o.object == dropped;
      });
      if (!scheduled)
        plan.add(Plan::DropIndexes, make(OperationKind::DropIndex, name, index_name));
    }
}

void compare_views_and_triggers(const Schema& from, const Schema& to, const Rules& rules,
                                Plan& plan) {
  auto dropping = views_in_dependency_order(from, rules.sqlite() ? config::Backend::Sqlite
                                                                 : config::Backend::Postgres);
  std::reverse(dropping.begin(), dropping.end()); // dependents first
  for (const auto& name : dropping) {
    const auto other = to.views.find(name);
    if (other == to.views.end() || !same_view(from.views.at(name), other->second, rules))
      plan.add(Plan::DropViews, make(OperationKind::DropView, name));
  }
  for (const auto& name : views_in_dependency_order(
           to, rules.sqlite() ? config::Backend::Sqlite : config::Backend::Postgres)) {
    const auto other = from.views.find(name);
    const schema::View& view = to.views.at(name);
    if (other == from.views.end() || !same_view(other->second, view, rules))
      plan.add(Plan::CreateViews, make(OperationKind::CreateView, name));
    else if (other->second.comment != view.comment)
      plan.add(Plan::CreateViews, make(OperationKind::Comment, name,
                                       view.materialized ? "materialized view" : "view"));
  }
  for (const auto& [name, trigger] : from.triggers) {
    const auto other = to.triggers.find(name);
    if (other == to.triggers.end() || !same_trigger(trigger, other->second, rules))
      plan.add(Plan::DropTriggers, make(OperationKind::DropTrigger, name));
  }
  for (const auto& [name, trigger] : to.triggers) {
    const auto other = from.triggers.find(name);
    if (other == from.triggers.end() || !same_trigger(other->second, trigger, rules))
      plan.add(Plan::CreateTriggers, make(OperationKind::CreateTrigger, name));
  }
}

// Enum types (values only added: an AlterType PostgreSQL makes in place; values gone or
// moved: the type is remade, destructive) and domains (made after the types they may
// use, dropped before them; a changed one is listed with advice).
void compare_types(const Schema& from, const Schema& to, Plan& plan) {
  for (const auto& [name, type] : to.enums) {
    const auto old = from.enums.find(name);
    if (old == from.enums.end()) {
      plan.add(Plan::CreateObjects, make(OperationKind::CreateType, name));
      continue;
    }
    if (old->second.comment != type.comment)
      plan.add(Plan::CreateObjects, make(OperationKind::Comment, name, "type"));
    if (old->second.values == type.values)
      continue;
    const auto& before = old->second.values;
    std::size_t matched = 0;
    for (const auto& value : type.values)
      if (matched < before.size() && before[matched] == value)
        ++matched;
    Operation change = make(OperationKind::AlterType, name);
    if (matched == before.size()) {
      for (const auto& value : type.values)
        if (std::find(before.begin(), before.end(), value) == before.end())
          change.changes.push_back("add value " + value);
    } else {
      for (const auto& value : before)
        if (std::find(type.values.begin(), type.values.end(), value) == type.values.end())
          change.changes.push_back("drop value " + value);
      if (change.changes.empty())
        change.changes.push_back("values reordered");
      change.destructive = true;
    }
    plan.add(Plan::CreateObjects, std::move(change));
  }
  for (const auto& [name, domain] : to.domains) {
    const auto old = from.domains.find(name);
    if (old == from.domains.end()) {
      plan.add(Plan::CreateObjects, make(OperationKind::CreateType, name));
      continue;
    }
    if (old->second.comment != domain.comment)
      plan.add(Plan::CreateObjects, make(OperationKind::Comment, name, "domain"));
    if (old->second.definition != domain.definition) {
      Operation change = make(OperationKind::AlterType, name);
      change.changes.push_back(old->second.definition + " -> " + domain.definition);
      change.note = "a changed domain is not migrated yet: write this step by hand (ALTER "
                    "DOMAIN, or a new domain and ALTER COLUMN ... TYPE)";
      plan.add(Plan::CreateObjects, std::move(change));
    }
  }
  for (const auto& [name, domain] : from.domains)
    if (to.domains.count(name) == 0)
      plan.add(Plan::DropObjects, make(OperationKind::DropType, name));
  for (const auto& [name, type] : from.enums)
    if (to.enums.count(name) == 0)
      plan.add(Plan::DropObjects, make(OperationKind::DropType, name));
}

// Extensions (PostgreSQL): made first, when the models have one the database lacks;
// dropped last, the other way (the declared side holds every extension the database
// has, so only a downgrade drops one).
void compare_extensions(const Schema& from, const Schema& to, Plan& plan) {
  for (const auto& [name, extension] : to.extensions)
    if (from.extensions.count(name) == 0)
      plan.add(Plan::CreateObjects, make(OperationKind::CreateExtension, name));
  for (const auto& [name, extension] : from.extensions)
    if (to.extensions.count(name) == 0)
      plan.add(Plan::DropObjects, make(OperationKind::DropExtension, name));
}

void compare_sequences_and_routines(const Schema& from, const Schema& to, Plan& plan) {
  for (const auto& [name, sequence] : to.sequences) {
    const auto old = from.sequences.find(name);
    if (old == from.sequences.end()) {
      plan.add(Plan::CreateObjects, make(OperationKind::CreateSequence, name));
      continue;
    }
    if (!(uncommented(old->second) == uncommented(sequence))) {
      Operation change = make(OperationKind::CreateSequence, name);
      change.changes.push_back("changed");
      plan.add(Plan::CreateObjects, std::move(change));
    }
    if (old->second.comment != sequence.comment)
      plan.add(Plan::CreateObjects, make(OperationKind::Comment, name, "sequence"));
  }
  for (const auto& [name, routine] : to.routines) {
    const auto old = from.routines.find(name);
    if (old == from.routines.end()) {
      plan.add(Plan::CreateObjects, make(OperationKind::CreateRoutine, name));
      continue;
    }
    if (old->second.definition != routine.definition)
      plan.add(Plan::CreateObjects, make(OperationKind::ReplaceRoutine, name));
    if (old->second.comment != routine.comment) // CREATE OR REPLACE keeps a comment
      plan.add(Plan::CreateObjects, make(OperationKind::Comment, name, "function"));
  }
  for (const auto& [name, routine] : from.routines)
    if (to.routines.count(name) == 0)
      plan.add(Plan::DropObjects, make(OperationKind::DropRoutine, name));
  for (const auto& [name, sequence] : from.sequences)
    if (to.sequences.count(name) == 0)
      plan.add(Plan::DropObjects, make(OperationKind::DropSequence, name));
}

} // namespace

bool same_sql(const std::string& a, const std::string& b) {
  if (a == b)
    return true; // by far the most common answer, without tokenizing
  const auto x = schema::tokenize_sql(a);
  const auto y = schema::tokenize_sql(b);
  if (x.size() != y.size())
    return false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const bool x_name = x[i].kind == Token::Kind::Word || x[i].kind == Token::Kind::QuotedName;
    const bool y_name = y[i].kind == Token::Kind::Word || y[i].kind == Token::Kind::QuotedName;
    if (x_name && y_name) {
      if (util::to_lower(x[i].name()) != util::to_lower(y[i].name()))
        return false;
    } else if (x[i].kind != y[i].kind || x[i].text != y[i].text) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> views_in_dependency_order(const Schema& schema, config::Backend backend) {
  const Rules rules(backend);
  std::map<std::string, std::string> by_folded_name;
  for (const auto& [name, view] : schema.views)
    by_folded_name.emplace(rules.fold(name), name);
  std::map<std::string, std::vector<std::string>> uses;
  for (const auto& [name, view] : schema.views)
    for (const auto& token : schema::tokenize_sql(view.sql))
      if (token.kind == Token::Kind::Word || token.kind == Token::Kind::QuotedName) {
        const auto found = by_folded_name.find(rules.fold(token.name()));
        if (found != by_folded_name.end() && found->second != name)
          uses[name].push_back(found->second);
      }
  std::vector<std::string> order;
  std::set<std::string> done, visiting;
  // Depth first; a cycle (which no database could hold) is broken where it closes.
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (done.count(name) != 0 || !visiting.insert(name).second)
      return;
    for (const auto& used : uses[name])
      visit(used);
    visiting.erase(name);
    done.insert(name);
    order.push_back(name);
  };
  for (const auto& [name, view] : schema.views)
    visit(name);
  return order;
}

const char* Operation::kind_name() const {
  switch (kind) {
  case OperationKind::DropTrigger:
    return "drop_trigger";
  case OperationKind::DropView:
    return "drop_view";
  case OperationKind::DropIndex:
    return "drop_index";
  case OperationKind::CreateType:
    return "create_type";
  case OperationKind::AlterType:
    return "alter_type";
  case OperationKind::CreateSequence:
    return "create_sequence";
  case OperationKind::CreateRoutine:
    return "create_routine";
  case OperationKind::ReplaceRoutine:
    return "replace_routine";
  case OperationKind::CreateTable:
    return "create_table";
  case OperationKind::AlterTable:
    return "alter_table";
  case OperationKind::DropColumn:
    return "drop_column";
  case OperationKind::AddColumn:
    return "add_column";
  case OperationKind::DropTable:
    return "drop_table";
  case OperationKind::CreateIndex:
    return "create_index";
  case OperationKind::CreateView:
    return "create_view";
  case OperationKind::CreateTrigger:
    return "create_trigger";
  case OperationKind::DropRoutine:
    return "drop_routine";
  case OperationKind::DropSequence:
    return "drop_sequence";
  case OperationKind::DropType:
    return "drop_type";
  case OperationKind::CreateExtension:
    return "create_extension";
  case OperationKind::DropExtension:
    return "drop_extension";
  case OperationKind::Comment:
    return "comment";
  }
  return "unknown";
}

bool Operation::changes_table() const {
  return kind == OperationKind::AlterTable || kind == OperationKind::AddColumn ||
         kind == OperationKind::DropColumn;
}

std::string Operation::sql_comment(std::string_view note_advice) const {
  std::string sql = "-- " + util::one_line(describe()) + "\n";
  if (destructive)
    sql += "-- WARNING: destructive: this step can lose data\n";
  if (!note.empty())
    sql += "-- NOTE: " + util::one_line(note) + std::string(note_advice) + "\n";
  return sql;
}

std::string Operation::describe() const {
  std::string text;
  switch (kind) {
  case OperationKind::DropTrigger:
    text = "- trigger " + table;
    break;
  case OperationKind::DropView:
    text = "- view " + table;
    break;
  case OperationKind::DropIndex:
    text = "- index " + object + " on " + table;
    break;
  case OperationKind::CreateType:
    text = "+ type " + table;
    break;
  case OperationKind::AlterType:
    text = "~ type " + table + ": " + util::join(changes, "; ");
    break;
  case OperationKind::CreateSequence:
    text = (changes.empty() ? "+ sequence " : "~ sequence ") + table;
    break;
  case OperationKind::CreateRoutine:
    text = "+ function " + table;
    break;
  case OperationKind::ReplaceRoutine:
    text = "~ function " + table;
    break;
  case OperationKind::CreateTable:
    text = "+ table " + table;
    break;
  case OperationKind::AlterTable:
    text = "~ table " + table + ": " + util::join(changes, "; ");
    break;
  case OperationKind::DropColumn:
    text = "- column " + table + "." + object;
    break;
  case OperationKind::AddColumn:
    text = "+ column " + table + "." + object;
    break;
  case OperationKind::DropTable:
    text = "- table " + table;
    break;
  case OperationKind::CreateIndex:
    text = "+ index " + object + " on " + table;
    break;
  case OperationKind::CreateView:
    text = "+ view " + table;
    break;
  case OperationKind::CreateTrigger:
    text = "+ trigger " + table;
    break;
  case OperationKind::DropRoutine:
    text = "- function " + table;
    break;
  case OperationKind::DropSequence:
    text = "- sequence " + table;
    break;
  case OperationKind::DropType:
    text = "- type " + table;
    break;
  case OperationKind::CreateExtension:
    text = "+ extension " + table;
    break;
  case OperationKind::DropExtension:
    text = "- extension " + table;
    break;
  case OperationKind::Comment:
    text = "~ comment on " + object + " " + table;
    break;
  }
  if (destructive)
    text += " (destructive)";
  if (!note.empty())
    text += " [" + note + "]";
  return text;
}

std::vector<Operation> compare_schemas(const Schema& from, const Schema& to,
                                       config::Backend backend) {
  const Rules rules(backend);
  Plan plan;
  compare_extensions(from, to, plan);
  compare_types(from, to, plan);
  compare_sequences_and_routines(from, to, plan);
  compare_tables(from, to, rules, plan);
  compare_views_and_triggers(from, to, rules, plan);
  std::vector<Operation> operations = plan.finish();
  Plan freed;
  free_index_names(from, to, rules, operations, freed);
  std::vector<Operation> drops = freed.finish();
  if (drops.empty())
    return operations;
  // The freed names' drops join the other index drops.
  const auto at = std::find_if(operations.begin(), operations.end(), [](const Operation& o) {
    return o.kind != OperationKind::DropTrigger && o.kind != OperationKind::DropView &&
           o.kind != OperationKind::DropIndex;
  });
  operations.insert(at, std::make_move_iterator(drops.begin()),
                    std::make_move_iterator(drops.end()));
  return operations;
}

} // namespace dbtool::diff
