#include "dbtool/diff/schema_diff.h"

#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace dbtool::diff {

using schema::Column;
using schema::Index;
using schema::Schema;
using schema::Table;
using schema::Token;

namespace {

bool same_name(const std::string& a, const std::string& b) {
  return util::equals_ignoring_case(a, b);
}

bool same_optional_sql(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (a.has_value() != b.has_value())
    return false;
  return !a || same_sql(*a, *b);
}

bool same_names(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_name(a[i], b[i]))
      return false;
  return true;
}

std::string show(const std::optional<std::string>& sql) {
  return sql ? *sql : "none";
}

// What differs between two versions of one column, in words; empty when nothing.
std::vector<std::string> column_changes(const Column& a, const Column& b) {
  std::vector<std::string> changes;
  const std::string prefix = "column " + b.name + ": ";
  if (!same_sql(a.type, b.type))
    changes.push_back(prefix + "type " + (a.type.empty() ? "(none)" : a.type) + " -> " +
                      (b.type.empty() ? "(none)" : b.type));
  if (a.not_null != b.not_null)
    changes.push_back(prefix + (b.not_null ? "NULL -> NOT NULL" : "NOT NULL -> NULL"));
  if (!same_optional_sql(a.default_sql, b.default_sql))
    changes.push_back(prefix + "default " + show(a.default_sql) + " -> " + show(b.default_sql));
  if (util::to_lower(a.collation) != util::to_lower(b.collation))
    changes.push_back(prefix + "collation " + (a.collation.empty() ? "BINARY" : a.collation) +
                      " -> " + (b.collation.empty() ? "BINARY" : b.collation));
  if (a.not_null_conflict != b.not_null_conflict)
    changes.push_back(prefix + "NOT NULL ON CONFLICT " +
                      (a.not_null_conflict.empty() ? "ABORT" : a.not_null_conflict) + " -> " +
                      (b.not_null_conflict.empty() ? "ABORT" : b.not_null_conflict));
  if (!same_optional_sql(a.generated, b.generated) || a.generated_stored != b.generated_stored)
    changes.push_back(prefix + "generated " + show(a.generated) + " -> " + show(b.generated));
  return changes;
}

// The numbers in "VARCHAR(20)" or "NUMERIC(10,2)".
std::vector<long> type_sizes(const std::string& type) {
  std::vector<long> sizes;
  const auto open = type.find('(');
  if (open == std::string::npos)
    return sizes;
  for (const auto& part : util::split_list(type.substr(open + 1, type.find(')') - open - 1)))
    sizes.push_back(std::atol(part.c_str()));
  return sizes;
}

// Whether changing a column from type A to type B can lose data.
bool narrows(const std::string& a, const std::string& b) {
  using schema::Affinity;
  const Affinity from = schema::type_affinity(a), to = schema::type_affinity(b);
  if (from != to) {
    // Any value fits in a BLOB or untyped column; integers fit in REAL and NUMERIC.
    if (to == Affinity::Blob ||
        (from == Affinity::Integer && (to == Affinity::Real || to == Affinity::Numeric)))
      return false;
    return true;
  }
  const auto old_sizes = type_sizes(a), new_sizes = type_sizes(b);
  if (new_sizes.empty())
    return false;
  if (old_sizes.empty())
    return true;
  for (std::size_t i = 0; i < new_sizes.size() && i < old_sizes.size(); ++i)
    if (new_sizes[i] < old_sizes[i])
      return true;
  return false;
}

std::string fk_key(const schema::ForeignKey& key) {
  std::string text = util::to_lower(key.name) + "|" + util::to_lower(util::join(key.columns, ",")) +
                     "|" + util::to_lower(key.ref_table) + "|" +
                     util::to_lower(util::join(key.ref_columns, ",")) + "|" + key.on_delete + "|" +
                     key.on_update + "|" + (key.deferrable ? "d" : "");
  return text;
}

std::string check_key(const schema::CheckConstraint& check) {
  return util::to_lower(check.name) + "|" + util::to_lower(schema::canonical_sql(check.expression));
}

std::string unique_key(const schema::UniqueConstraint& unique) {
  return util::to_lower(unique.name) + "|" + util::to_lower(util::join(unique.columns, ",")) + "|" +
         unique.on_conflict;
}

template <typename T, typename Key>
std::multiset<std::string> keys_of(const std::vector<T>& items, Key key) {
  std::multiset<std::string> out;
  for (const auto& item : items)
    out.insert(key(item));
  return out;
}

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

// Changes to the table as a whole: keys, constraints, options.
std::vector<std::string> table_changes(const Table& a, const Table& b) {
  std::vector<std::string> changes;
  const bool same_pk =
      a.primary_key.has_value() == b.primary_key.has_value() &&
      (!a.primary_key ||
       (same_names(a.primary_key->columns, b.primary_key->columns) &&
        util::to_lower(a.primary_key->name) == util::to_lower(b.primary_key->name) &&
        a.primary_key->autoincrement == b.primary_key->autoincrement &&
        a.primary_key->on_conflict == b.primary_key->on_conflict));
  if (!same_pk)
    changes.push_back("primary key " + describe_pk(a.primary_key) + " -> " +
                      describe_pk(b.primary_key));
  if (keys_of(a.foreign_keys, fk_key) != keys_of(b.foreign_keys, fk_key))
    changes.push_back("foreign keys changed");
  if (keys_of(a.unique_constraints, unique_key) != keys_of(b.unique_constraints, unique_key))
    changes.push_back("unique constraints changed");
  if (keys_of(a.checks, check_key) != keys_of(b.checks, check_key))
    changes.push_back("check constraints changed");
  if (a.without_rowid != b.without_rowid)
    changes.push_back(b.without_rowid ? "now WITHOUT ROWID" : "no longer WITHOUT ROWID");
  if (a.strict != b.strict)
    changes.push_back(b.strict ? "now STRICT" : "no longer STRICT");
  return changes;
}

bool same_index(const Index& a, const Index& b) {
  if (a.unique != b.unique || a.keys.size() != b.keys.size() ||
      !same_optional_sql(a.where, b.where))
    return false;
  for (std::size_t i = 0; i < a.keys.size(); ++i) {
    const auto& x = a.keys[i];
    const auto& y = b.keys[i];
    if (!same_name(x.column, y.column) || !same_sql(x.expression, y.expression) ||
        util::to_lower(x.collation) != util::to_lower(y.collation) || x.descending != y.descending)
      return false;
  }
  return true;
}

const Column* find_column(const Table& table, const std::string& name) {
  for (const auto& column : table.columns)
    if (same_name(column.name, name))
      return &column;
  return nullptr;
}

// Whether DEFAULT text is a literal that ALTER TABLE ADD COLUMN accepts.
bool literal_default(const std::string& sql) {
  const auto tokens = schema::tokenize_sql(sql);
  std::size_t i = 0;
  if (i < tokens.size() && (tokens[i].is_punct('-') || tokens[i].is_punct('+')))
    ++i;
  if (i + 1 != tokens.size())
    return false;
  const Token& token = tokens[i];
  return token.kind == Token::Kind::Number || token.kind == Token::Kind::String ||
         token.kind == Token::Kind::Blob || token.is_word("NULL") || token.is_word("TRUE") ||
         token.is_word("FALSE");
}

bool column_in(const std::vector<std::string>& names, const std::string& column) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& name) { return same_name(name, column); });
}

// Whether ALTER TABLE ADD COLUMN can add COLUMN to TABLE as TO declares it.
bool can_add_column(const Table& to, const Column& column) {
  if (to.primary_key && column_in(to.primary_key->columns, column.name))
    return false;
  for (const auto& unique : to.unique_constraints)
    if (column_in(unique.columns, column.name))
      return false;
  for (const auto& key : to.foreign_keys)
    if (column_in(key.columns, column.name))
      return false;
  if (column.generated && column.generated_stored)
    return false;
  if (column.default_sql && !literal_default(*column.default_sql))
    return false;
  if (column.not_null && !column.generated &&
      (!column.default_sql || same_sql(*column.default_sql, "NULL")))
    return false;
  return true;
}

// Whether ALTER TABLE DROP COLUMN can drop COLUMN from FROM. Conservative: anything
// that might mention the column (a constraint, an index, a view, a trigger, a
// generated column) sends the table to a rebuild instead.
bool can_drop_column(const Schema& schema, const Table& from, const std::string& column) {
  if (!schema.views.empty() || !schema.triggers.empty() || !from.checks.empty())
    return false;
  if (from.primary_key && column_in(from.primary_key->columns, column))
    return false;
  for (const auto& unique : from.unique_constraints)
    if (column_in(unique.columns, column))
      return false;
  for (const auto& key : from.foreign_keys)
    if (column_in(key.columns, column))
      return false;
  for (const auto& other : from.columns)
    if (other.generated)
      return false;
  for (const auto& [name, index] : from.indexes) {
    if (index.where)
      return false;
    for (const auto& key : index.keys)
      if (!key.expression.empty() || same_name(key.column, column))
        return false;
  }
  return true;
}

std::string shape(const Table& table) {
  std::vector<std::string> columns;
  for (const auto& column : table.columns)
    columns.push_back(util::to_lower(column.name) + " " + util::to_lower(column.type));
  std::sort(columns.begin(), columns.end());
  return util::join(columns, ",");
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

const char* Operation::kind_name() const {
  switch (kind) {
  case OperationKind::DropView:
    return "drop_view";
  case OperationKind::DropTrigger:
    return "drop_trigger";
  case OperationKind::DropIndex:
    return "drop_index";
  case OperationKind::CreateTable:
    return "create_table";
  case OperationKind::AddColumn:
    return "add_column";
  case OperationKind::DropColumn:
    return "drop_column";
  case OperationKind::RebuildTable:
    return "alter_table";
  case OperationKind::DropTable:
    return "drop_table";
  case OperationKind::CreateIndex:
    return "create_index";
  case OperationKind::CreateView:
    return "create_view";
  case OperationKind::CreateTrigger:
    return "create_trigger";
  case OperationKind::CreateType:
    return "create_type";
  case OperationKind::AlterType:
    return "alter_type";
  case OperationKind::DropType:
    return "drop_type";
  case OperationKind::CreateSequence:
    return "create_sequence";
  case OperationKind::DropSequence:
    return "drop_sequence";
  case OperationKind::CreateRoutine:
    return "create_routine";
  case OperationKind::ReplaceRoutine:
    return "replace_routine";
  case OperationKind::DropRoutine:
    return "drop_routine";
  case OperationKind::CreateExtension:
    return "create_extension";
  case OperationKind::DropExtension:
    return "drop_extension";
  case OperationKind::Comment:
    return "comment";
  }
  return "unknown";
}

std::string Operation::describe() const {
  std::string text;
  switch (kind) {
  case OperationKind::DropView:
    text = "- view " + table;
    break;
  case OperationKind::DropTrigger:
    text = "- trigger " + table;
    break;
  case OperationKind::DropIndex:
    text = "- index " + object + " on " + table;
    break;
  case OperationKind::CreateTable:
    text = "+ table " + table;
    break;
  case OperationKind::AddColumn:
    text = "+ column " + table + "." + object;
    break;
  case OperationKind::DropColumn:
    text = "- column " + table + "." + object;
    break;
  case OperationKind::RebuildTable:
    text = "~ table " + table + ": " + util::join(changes, "; ");
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
  case OperationKind::CreateType:
    text = "+ type " + table;
    break;
  case OperationKind::AlterType:
    text = "~ type " + table + ": " + util::join(changes, "; ");
    break;
  case OperationKind::DropType:
    text = "- type " + table;
    break;
  case OperationKind::CreateSequence:
    text = "+ sequence " + table;
    break;
  case OperationKind::DropSequence:
    text = "- sequence " + table;
    break;
  case OperationKind::CreateRoutine:
    text = "+ function " + table;
    break;
  case OperationKind::ReplaceRoutine:
    text = "~ function " + table;
    break;
  case OperationKind::DropRoutine:
    text = "- function " + table;
    break;
  case OperationKind::CreateExtension:
    text = "+ extension " + table;
    break;
  case OperationKind::DropExtension:
    text = "- extension " + table;
    break;
  case OperationKind::Comment:
    text = "~ comment on " + table;
    break;
  }
  if (destructive)
    text += " (destructive)";
  if (!note.empty())
    text += " [" + note + "]";
  return text;
}

std::vector<Operation> compare_schemas(const Schema& from, const Schema& to) {
  std::vector<Operation> drop_views, drop_triggers, drop_indexes, create_tables, alters,
      drop_tables, create_indexes, create_views, create_triggers;
  bool structural = false; // a rebuild, a dropped table or column: views and triggers go first

  std::set<std::string> added, dropped;
  for (const auto& [name, table] : to.tables)
    if (from.find_table(name) == nullptr)
      added.insert(name);
  for (const auto& [name, table] : from.tables)
    if (to.find_table(name) == nullptr)
      dropped.insert(name);

  // A dropped and an added table of the same shape are likely one table renamed.
  std::map<std::string, std::string> added_shapes, dropped_shapes;
  if (!added.empty() && !dropped.empty()) {
    for (const auto& name : added)
      added_shapes[name] = shape(to.tables.at(name));
    for (const auto& name : dropped)
      dropped_shapes[name] = shape(from.tables.at(name));
  }
  for (const auto& name : schema::parents_first(to, added)) {
    const Table& table = to.tables.at(name);
    Operation operation{OperationKind::CreateTable, name, {}, {}, false, {}};
    for (const auto& [gone, gone_shape] : dropped_shapes)
      if (gone_shape == added_shapes[name])
        operation.note = "possible rename of table " + gone;
    create_tables.push_back(std::move(operation));
    for (const auto& [index_name, index] : table.indexes)
      create_indexes.push_back({OperationKind::CreateIndex, name, index_name, {}, false, {}});
  }
  auto dropped_order = schema::parents_first(from, dropped);
  std::reverse(dropped_order.begin(), dropped_order.end());
  for (const auto& name : dropped_order) {
    Operation operation{OperationKind::DropTable, name, {}, {}, true, {}};
    for (const auto& [fresh, fresh_shape] : added_shapes)
      if (fresh_shape == dropped_shapes[name])
        operation.note = "possible rename to table " + fresh;
    drop_tables.push_back(std::move(operation));
    structural = true;
  }

  for (const auto& [name, after] : to.tables) {
    const Table* found = from.find_table(name);
    if (found == nullptr)
      continue;
    const Table& before = *found;
    std::vector<std::string> changes = table_changes(before, after);
    if (before.name != after.name) // only the case differs: a rebuild renames it
      changes.push_back("name " + before.name + " -> " + after.name);
    bool destructive = false;
    std::vector<const Column*> new_columns, old_columns;
    std::vector<std::string> surviving_before, surviving_after;
    for (const auto& column : before.columns) {
      if (const Column* other = find_column(after, column.name)) {
        surviving_before.push_back(util::to_lower(column.name));
        for (auto& change : column_changes(column, *other)) {
          destructive = destructive || (change.find(": type ") != std::string::npos &&
                                        narrows(column.type, other->type));
          changes.push_back(std::move(change));
        }
      } else {
        old_columns.push_back(&column);
      }
    }
    bool added_at_end = true;
    for (const auto& column : after.columns) {
      if (find_column(before, column.name)) {
        surviving_after.push_back(util::to_lower(column.name));
        if (!new_columns.empty())
          added_at_end = false;
      } else {
        new_columns.push_back(&column);
      }
    }
    std::string rename_note;
    for (const Column* gone : old_columns)
      for (const Column* fresh : new_columns)
        if (same_sql(gone->type, fresh->type))
          rename_note = "column " + fresh->name + " may be a rename of " + gone->name;
    const bool column_order_kept = surviving_before == surviving_after && added_at_end;
    bool alter_is_enough = changes.empty() && column_order_kept;
    for (const Column* column : new_columns)
      alter_is_enough = alter_is_enough && can_add_column(after, *column);
    for (const Column* column : old_columns)
      alter_is_enough = alter_is_enough && can_drop_column(from, before, column->name);

    const bool rebuild = !alter_is_enough;
    if (rebuild) {
      for (const Column* column : new_columns)
        changes.push_back("add column " + column->name);
      for (const Column* column : old_columns) {
        changes.push_back("drop column " + column->name);
        destructive = true;
      }
      if (!column_order_kept && changes.empty())
        changes.push_back("column order changed");
    }

    // Indexes: a rebuild recreates all of them; otherwise each change on its own.
    for (const auto& [index_name, index] : before.indexes) {
      const auto other = after.indexes.find(index_name);
      const bool kept = other != after.indexes.end() && same_index(index, other->second);
      if (!kept && rebuild)
        changes.push_back("index " + index_name +
                          (other == after.indexes.end() ? " dropped" : " changed"));
      if (!kept && !rebuild)
        drop_indexes.push_back({OperationKind::DropIndex, name, index_name, {}, false, {}});
    }
    for (const auto& [index_name, index] : after.indexes) {
      const auto other = before.indexes.find(index_name);
      const bool kept = other != before.indexes.end() && same_index(index, other->second);
      if (kept)
        continue;
      if (other == before.indexes.end() && rebuild)
        changes.push_back("index " + index_name + " added");
      if (!rebuild)
        create_indexes.push_back({OperationKind::CreateIndex, name, index_name, {}, false, {}});
    }

    if (rebuild && !changes.empty()) {
      alters.push_back({OperationKind::RebuildTable, name, {}, changes, destructive, rename_note});
      structural = true;
    } else if (!rebuild) {
      for (const Column* column : old_columns) {
        alters.push_back({OperationKind::DropColumn, name, column->name, {}, true, rename_note});
        structural = true;
      }
      for (const Column* column : new_columns)
        alters.push_back({OperationKind::AddColumn, name, column->name, {}, false, rename_note});
    }
  }

  // Index names are global: an index whose name the new schema gives to an index of
  // another table is dropped first, before a rebuild or a create uses the name again.
  std::map<std::string, std::string> new_index_owner; // lower-cased index -> table
  for (const auto& [name, table] : to.tables)
    for (const auto& [index_name, index] : table.indexes)
      new_index_owner[util::to_lower(index_name)] = util::to_lower(name);
  for (const auto& [name, table] : from.tables)
    for (const auto& [index_name, index] : table.indexes) {
      const auto owner = new_index_owner.find(util::to_lower(index_name));
      const std::string& dropped_name = index_name; // (clang 14 captures no bindings)
      const bool scheduled =
          std::any_of(drop_indexes.begin(), drop_indexes.end(),
                      [&](const Operation& o) { return o.object == dropped_name; });
      if (owner != new_index_owner.end() && owner->second != util::to_lower(name) && !scheduled)
        drop_indexes.push_back({OperationKind::DropIndex, name, index_name, {}, false, {}});
    }

  // Views and triggers: changed ones are dropped and created again; around a
  // structural change all of them are, since SQLite checks them when a table is
  // renamed.
  for (const auto& [name, view] : from.views) {
    const auto other = to.views.find(name);
    const bool kept = other != to.views.end() && same_sql(view.sql, other->second.sql) &&
                      same_names(view.columns, other->second.columns);
    if (!kept || structural)
      drop_views.push_back({OperationKind::DropView, name, {}, {}, false, {}});
  }
  for (const auto& [name, view] : to.views) {
    const auto other = from.views.find(name);
    const bool kept = other != from.views.end() && same_sql(view.sql, other->second.sql) &&
                      same_names(view.columns, other->second.columns);
    if (!kept || structural)
      create_views.push_back({OperationKind::CreateView, name, {}, {}, false, {}});
  }
  for (const auto& [name, trigger] : from.triggers) {
    const auto other = to.triggers.find(name);
    const bool kept = other != to.triggers.end() && same_sql(trigger.sql, other->second.sql);
    if (!kept || structural)
      drop_triggers.push_back({OperationKind::DropTrigger, name, {}, {}, false, {}});
  }
  for (const auto& [name, trigger] : to.triggers) {
    const auto other = from.triggers.find(name);
    const bool kept = other != from.triggers.end() && same_sql(trigger.sql, other->second.sql);
    if (!kept || structural)
      create_triggers.push_back({OperationKind::CreateTrigger, name, {}, {}, false, {}});
  }

  std::vector<Operation> operations;
  for (auto* group : {&drop_views, &drop_triggers, &drop_indexes, &create_tables, &alters,
                      &drop_tables, &create_indexes, &create_views, &create_triggers})
    for (auto& operation : *group)
      operations.push_back(std::move(operation));
  return operations;
}

} // namespace dbtool::diff
