#include "dbtool/diff/postgres_migration.h"

#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace dbtool::diff {

namespace {

using schema::Column;
using schema::Schema;
using schema::Table;

std::string q(const std::string& name) {
  return schema::quote_postgres_name(name);
}

// The phases of a migration, in the order their SQL runs.
enum Phase {
  DropTriggers,
  DropViews,
  DropIndexes,
  DropForeignKeys, // before the keys they use go
  DropConstraints,
  CreateObjects, // types, then domains, sequences, functions
  CreateTables,
  AlterTables,
  AddConstraints, // after the columns they name exist, with their types
  DropTables,
  AddForeignKeys, // after the keys they use exist
  CreateIndexes,
  CreateViews, // dependencies first
  CreateTriggers,
  DropObjects, // functions, sequences, domains, then types
  PhaseCount
};

// Collects SQL by phase; each listed operation's comment goes before the first piece of
// SQL made for it.
class Planner {
 public:
  void add(Phase phase, const Operation* listed, std::string sql) {
    m_steps[phase].push_back({listed, std::move(sql)});
  }
  // An operation that makes no SQL of its own (a change written by hand) is still listed.
  void list_only(Phase phase, const Operation* listed) { add(phase, listed, {}); }
  // FOLLOWERS are listed with FIRST, wherever its comment goes (one table's operations).
  void list_with(const Operation* first, std::vector<const Operation*> followers) {
    m_followers[first] = std::move(followers);
  }

  std::string finish() {
    std::string out;
    std::set<const Operation*> commented;
    for (auto& steps : m_steps)
      for (auto& [operation, sql] : steps) {
        if (operation != nullptr && commented.insert(operation).second) {
          comment(out, *operation);
          for (const Operation* follower : m_followers[operation])
            comment(out, *follower);
        }
        out += sql;
      }
    return out;
  }

 private:
  static void comment(std::string& out, const Operation& operation) {
    // Names may hold line breaks; a comment must stay on its line.
    out += "-- " + util::one_line(operation.describe()) + "\n";
    if (operation.destructive)
      out += "-- WARNING: destructive: this step can lose data\n";
    if (!operation.note.empty())
      out += "-- NOTE: " + util::one_line(operation.note) + "\n";
  }

  std::array<std::vector<std::pair<const Operation*, std::string>>, PhaseCount> m_steps;
  std::map<const Operation*, std::vector<const Operation*>> m_followers;
};

const Column* column_named(const Table& table, const std::string& name) {
  for (const auto& column : table.columns)
    if (column.name == name)
      return &column;
  return nullptr;
}

template <typename Item>
const Item* named(const std::vector<Item>& items, const std::string& name) {
  for (const auto& item : items)
    if (item.name == name)
      return &item;
  return nullptr;
}

std::string comment_sql(const std::string& target, const std::string& comment) {
  return "COMMENT ON " + target + " IS " +
         (comment.empty() ? std::string("NULL") : util::sql_quote(comment)) + ";\n";
}

std::string drop_view_sql(const schema::View& view) {
  return std::string("DROP ") + (view.materialized ? "MATERIALIZED " : "") + "VIEW " +
         q(view.name) + ";\n";
}

// The renderer of one migration: what each operation becomes, in its phase.
class Renderer {
 public:
  Renderer(const Schema& from, const Schema& to) : m_from(from), m_to(to) {}

  // Set when a column changes its type or goes: PostgreSQL then refuses while a view
  // reads the table, so every view is dropped first and made again at the end.
  bool views_in_the_way = false;

  void table(const Table& before, const Table& after, const Operation* listed,
             std::vector<const Operation*> followers) {
    m_planner.list_with(listed, std::move(followers));
    alter_constraints(before, after, listed);
    alter_columns(before, after, listed);
    foreign_keys(&before, after, listed);
    m_planner.list_only(AlterTables, listed); // listed even when it makes no SQL
  }

  void create_table(const Table& table, const Operation* listed) {
    std::string sql = schema::render_postgres_create_table(table, m_to);
    if (!table.comment.empty())
      sql += comment_sql("TABLE " + q(table.name), table.comment);
    for (const auto& column : table.columns)
      if (!column.comment.empty())
        sql += comment_sql("COLUMN " + q(table.name) + "." + q(column.name), column.comment);
    m_planner.add(CreateTables, listed, sql);
    foreign_keys(nullptr, table, nullptr);
  }

  void drop_table(const std::string& name, const Operation* listed) {
    m_planner.add(DropTables, listed, "DROP TABLE " + q(name) + ";\n");
  }

  void drop_index(const std::string& name, const Operation* listed) {
    m_planner.add(DropIndexes, listed, "DROP INDEX " + q(name) + ";\n");
  }

  void create_index(const Table& table, const std::string& name, const Operation* listed) {
    m_planner.add(CreateIndexes, listed,
                  schema::render_postgres_index(table, table.indexes.at(name)));
  }

  void type(const Operation& operation) {
    const std::string& name = operation.table;
    if (operation.kind == OperationKind::DropType) {
      const bool domain = m_from.domains.count(name) != 0;
      m_planner.add(DropObjects, &operation,
                    std::string(domain ? "DROP DOMAIN " : "DROP TYPE ") + q(name) + ";\n");
      return;
    }
    if (const auto domain = m_to.domains.find(name); domain != m_to.domains.end()) {
      if (operation.kind == OperationKind::CreateType)
        m_domains += "-- " + operation.describe() + "\nCREATE DOMAIN " + q(name) + " AS " +
                     domain->second.definition + ";\n";
      else
        m_planner.list_only(CreateObjects, &operation); // written by hand (see the note)
      return;
    }
    const schema::EnumType& type = m_to.enums.at(name);
    if (operation.kind == OperationKind::CreateType) {
      m_planner.add(CreateObjects, &operation,
                    "CREATE TYPE " + q(name) + " AS ENUM (" + values(type.values) + ");\n");
    } else if (!operation.destructive) {
      const auto& before = m_from.enums.at(name).values;
      std::string sql;
      for (std::size_t i = 0; i < type.values.size(); ++i) {
        const auto& value = type.values[i];
        if (std::find(before.begin(), before.end(), value) != before.end())
          continue;
        sql += "ALTER TYPE " + q(name) + " ADD VALUE IF NOT EXISTS " + util::sql_quote(value) +
               (i == 0 ? " BEFORE " + util::sql_quote(type.values[1])
                       : " AFTER " + util::sql_quote(type.values[i - 1])) +
               ";\n";
      }
      m_planner.add(CreateObjects, &operation, sql);
    } else {
      // After the tables change (a column of the type may be new), before views return.
      m_planner.add(AddConstraints, &operation, remake_enum(name, type));
    }
  }

  void sequence(const Operation& operation) {
    const std::string& name = operation.table;
    if (operation.kind == OperationKind::DropSequence) {
      m_planner.add(DropObjects, &operation, "DROP SEQUENCE " + q(name) + ";\n");
      return;
    }
    const schema::Sequence& sequence = m_to.sequences.at(name);
    const std::string options = " AS " + sequence.type + " START WITH " +
                                std::to_string(sequence.start) + " INCREMENT BY " +
                                std::to_string(sequence.increment);
    // A changed sequence is altered, not made again: its position and the defaults
    // that use it stay.
    m_planner.add(CreateObjects, &operation,
                  (operation.changes.empty() ? "CREATE SEQUENCE " : "ALTER SEQUENCE ") + q(name) +
                      options + ";\n");
  }

  void routine(const Operation& operation) {
    const std::string& name = operation.table;
    if (operation.kind == OperationKind::DropRoutine)
      m_planner.add(DropObjects, &operation,
                    "DROP ROUTINE " + q(name.substr(0, name.find('('))) +
                        name.substr(name.find('(')) + ";\n");
    else
      m_planner.add(CreateObjects, &operation, m_to.routines.at(name).definition + ";\n");
  }

  void trigger(const Operation& operation) {
    if (operation.kind == OperationKind::DropTrigger) {
      const auto& trigger = m_from.triggers.at(operation.table);
      m_planner.add(DropTriggers, &operation,
                    "DROP TRIGGER " + q(trigger.name) + " ON " + q(trigger.table) + ";\n");
    } else {
      m_planner.add(CreateTriggers, &operation, m_to.triggers.at(operation.table).sql + ";\n");
    }
  }

  // Views last: which are made again depends on every table change. Dependents are
  // dropped first and made last.
  void views(const std::vector<Operation>& operations) {
    auto listed = [&](OperationKind kind, const std::string& name) -> const Operation* {
      for (const auto& operation : operations)
        if (operation.kind == kind && operation.table == name)
          return &operation;
      return nullptr;
    };
    auto dropping = views_in_dependency_order(m_from, config::Backend::Postgres);
    std::reverse(dropping.begin(), dropping.end());
    for (const auto& name : dropping) {
      const Operation* operation = listed(OperationKind::DropView, name);
      if (operation != nullptr || views_in_the_way)
        m_planner.add(DropViews, operation, drop_view_sql(m_from.views.at(name)));
    }
    for (const auto& name : views_in_dependency_order(m_to, config::Backend::Postgres)) {
      const Operation* operation = listed(OperationKind::CreateView, name);
      const auto old = m_from.views.find(name);
      // Dropped above because it was in the way: made again, unchanged and unlisted.
      const bool remade = views_in_the_way && old != m_from.views.end();
      if (operation != nullptr || remade)
        m_planner.add(CreateViews, operation, schema::render_postgres_view(m_to.views.at(name)));
    }
  }

  // Foreign keys that stay but refer to a key that is dropped or changed: PostgreSQL
  // refuses to drop a key while a foreign key uses it, so they go first and come back
  // after it.
  void foreign_keys_in_the_way(const std::set<std::string>& rekeyed) {
    for (const auto& [name, after] : m_to.tables) {
      const auto before = m_from.tables.find(name);
      if (before == m_from.tables.end())
        continue;
      for (const auto& key : after.foreign_keys) {
        const auto* old = named(before->second.foreign_keys, key.name);
        if (old == nullptr || !(*old == key) || rekeyed.count(key.ref_table) == 0)
          continue; // a changed key is dropped and added with its own table
        m_planner.add(DropForeignKeys, nullptr,
                      "ALTER TABLE " + q(name) + " DROP CONSTRAINT " + q(key.name) + ";\n");
        m_planner.add(AddForeignKeys, nullptr, schema::render_postgres_foreign_key(after, key));
      }
    }
  }

  std::string finish() {
    m_planner.add(CreateObjects, nullptr, m_domains); // after the types they may use
    return m_planner.finish();
  }

 private:
  static std::string values(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& value : items)
      text += (text.empty() ? "" : ", ") + util::sql_quote(value);
    return text;
  }

  // The column changes of one surviving table: ADD/DROP COLUMN and ALTER COLUMN
  // subcommands. A default goes before a type change it would not fit and comes back
  // after it; an identity is dropped before NOT NULL is and added after it.
  void alter_columns(const Table& before, const Table& after, const Operation* listed) {
    const std::string table = q(after.name);
    std::vector<std::string> commands;
    std::string extra; // statements after the ALTER TABLE (comments)
    for (const auto& column : before.columns) {
      const Column* other = column_named(after, column.name);
      if (other != nullptr && column.generated == other->generated)
        continue;
      m_planner.add(AlterTables, listed,
                    "ALTER TABLE " + table + " DROP COLUMN " + q(column.name) + ";\n");
      views_in_the_way = true;
    }
    for (const auto& column : after.columns) {
      const Column* old = column_named(before, column.name);
      if (old == nullptr || old->generated != column.generated) {
        m_planner.add(AlterTables, listed,
                      "ALTER TABLE " + table + " ADD COLUMN " +
                          schema::render_postgres_column(column, m_to) + ";\n");
        if (!column.comment.empty())
          extra += comment_sql("COLUMN " + table + "." + q(column.name), column.comment);
        continue;
      }
      const std::string name = q(column.name);
      const std::string alter = "ALTER COLUMN " + name + " ";
      if (old->default_sql != column.default_sql && old->default_sql)
        commands.push_back(alter + "DROP DEFAULT");
      if (!old->identity.empty() && column.identity.empty())
        commands.push_back(alter + "DROP IDENTITY");
      if (old->type != column.type || old->collation != column.collation) {
        views_in_the_way = true;
        commands.push_back(
            alter + "TYPE " + column.type +
            (column.collation.empty() ? "" : " COLLATE " + util::sql_identifier(column.collation)) +
            " USING " + name + "::" + column.type);
      }
      if (old->default_sql != column.default_sql && column.default_sql)
        commands.push_back(alter + "SET DEFAULT " + *column.default_sql);
      if (old->not_null != column.not_null)
        commands.push_back(alter + (column.not_null ? "SET NOT NULL" : "DROP NOT NULL"));
      if (!column.identity.empty() && old->identity != column.identity)
        commands.push_back(alter + (old->identity.empty()
                                        ? "ADD GENERATED " + column.identity + " AS IDENTITY"
                                        : "SET GENERATED " + column.identity));
      if (old->comment != column.comment)
        extra += comment_sql("COLUMN " + table + "." + name, column.comment);
    }
    if (before.comment != after.comment)
      extra += comment_sql("TABLE " + table, after.comment);
    if (!commands.empty())
      m_planner.add(AlterTables, listed,
                    "ALTER TABLE " + table + "\n  " + util::join(commands, ",\n  ") + ";\n");
    if (!extra.empty())
      m_planner.add(AlterTables, listed, extra);
  }

  // Constraints of one surviving table, matched by name: a changed one is dropped and
  // added again.
  void alter_constraints(const Table& before, const Table& after, const Operation* listed) {
    const std::string table = q(after.name);
    std::vector<std::string> drops, adds;
    auto compare = [&](const std::string& name, bool in_before, bool in_after, bool same,
                       const std::string& add_sql) {
      if (in_before && in_after && same)
        return;
      if (in_before)
        drops.push_back("DROP CONSTRAINT " + q(name));
      if (in_after)
        adds.push_back("ADD " + add_sql);
    };
    if (before.primary_key != after.primary_key) {
      if (before.primary_key)
        drops.push_back("DROP CONSTRAINT " + q(before.primary_key->name));
      if (after.primary_key)
        adds.push_back("ADD " + schema::render_postgres_primary_key(*after.primary_key));
    }
    auto each = [&](const auto& old_items, const auto& new_items, auto render) {
      std::set<std::string> names;
      for (const auto& item : old_items)
        names.insert(item.name);
      for (const auto& item : new_items)
        names.insert(item.name);
      for (const auto& name : names) {
        const auto* a = named(old_items, name);
        const auto* b = named(new_items, name);
        compare(name, a, b, a && b && *a == *b, b ? render(*b) : "");
      }
    };
    each(before.unique_constraints, after.unique_constraints,
         [](const auto& item) { return schema::render_postgres_unique(item); });
    each(before.checks, after.checks,
         [](const auto& item) { return schema::render_postgres_check(item); });
    each(before.exclusions, after.exclusions,
         [](const auto& item) { return schema::render_postgres_exclusion(item); });
    if (!drops.empty())
      m_planner.add(DropConstraints, listed,
                    "ALTER TABLE " + table + "\n  " + util::join(drops, ",\n  ") + ";\n");
    if (!adds.empty())
      m_planner.add(AddConstraints, listed,
                    "ALTER TABLE " + table + "\n  " + util::join(adds, ",\n  ") + ";\n");
  }

  void foreign_keys(const Table* before, const Table& after, const Operation* listed) {
    std::set<std::string> names;
    if (before)
      for (const auto& key : before->foreign_keys)
        names.insert(key.name);
    for (const auto& key : after.foreign_keys)
      names.insert(key.name);
    for (const auto& name : names) {
      const auto* a = before ? named(before->foreign_keys, name) : nullptr;
      const auto* b = named(after.foreign_keys, name);
      if (a && b && *a == *b)
        continue;
      if (a)
        m_planner.add(DropForeignKeys, listed,
                      "ALTER TABLE " + q(after.name) + " DROP CONSTRAINT " + q(name) + ";\n");
      if (b)
        m_planner.add(AddForeignKeys, listed, schema::render_postgres_foreign_key(after, *b));
    }
  }

  // Remakes enum type NAME with TYPE's values when values go or move (PostgreSQL can
  // only add them): the old type is renamed away, the new one made, every column of the
  // type cast through text (a row holding a value that goes makes the migration fail,
  // with nothing lost), and the old type dropped.
  std::string remake_enum(const std::string& name, const schema::EnumType& type) {
    const std::string old_name = q(name + "__dbtool_old");
    std::string sql = "ALTER TYPE " + q(name) + " RENAME TO " + old_name + ";\nCREATE TYPE " +
                      q(name) + " AS ENUM (" + values(type.values) + ");\n";
    for (const auto& [table_name, table] : m_to.tables)
      for (const auto& column : table.columns) {
        if (column.type != name && column.type != name + "[]")
          continue;
        const std::string target =
            "ALTER TABLE " + q(table_name) + " ALTER COLUMN " + q(column.name);
        if (column.default_sql)
          sql += target + " DROP DEFAULT;\n";
        sql += target + " TYPE " + column.type + " USING " + q(column.name) + "::text" +
               (column.type == name ? "" : "[]") + "::" + column.type + ";\n";
        if (column.default_sql)
          sql += target + " SET DEFAULT " + *column.default_sql + ";\n";
        views_in_the_way = true;
      }
    return sql + "DROP TYPE " + old_name + ";\n";
  }

  const Schema& m_from;
  const Schema& m_to;
  Planner m_planner;
  std::string m_domains;
};

} // namespace

MigrationScript render_postgres_migration(const Schema& from, const Schema& to,
                                          const std::vector<Operation>& operations) {
  Renderer renderer(from, to);
  std::set<std::string> rekeyed; // tables whose primary key or unique constraints change
  for (std::size_t k = 0; k < operations.size(); ++k) {
    const Operation& operation = operations[k];
    switch (operation.kind) {
    case OperationKind::AlterTable:
    case OperationKind::DropColumn:
    case OperationKind::AddColumn: {
      // One table's operations are next to each other: the table is rendered once,
      // with the first of them listed.
      std::size_t end = k;
      while (end < operations.size() && operations[end].table == operation.table &&
             (operations[end].kind == OperationKind::AlterTable ||
              operations[end].kind == OperationKind::DropColumn ||
              operations[end].kind == OperationKind::AddColumn))
        ++end;
      const Table& before = from.tables.at(operation.table);
      const Table& after = to.tables.at(operation.table);
      if (before.primary_key != after.primary_key ||
          !(before.unique_constraints == after.unique_constraints))
        rekeyed.insert(operation.table);
      std::vector<const Operation*> followers;
      for (std::size_t j = k + 1; j < end; ++j)
        followers.push_back(&operations[j]);
      renderer.table(before, after, &operation, std::move(followers));
      k = end - 1;
      break;
    }
    case OperationKind::CreateTable:
      renderer.create_table(to.tables.at(operation.table), &operation);
      break;
    case OperationKind::DropTable:
      renderer.drop_table(operation.table, &operation);
      break;
    case OperationKind::DropIndex:
      renderer.drop_index(operation.object, &operation);
      break;
    case OperationKind::CreateIndex:
      renderer.create_index(to.tables.at(operation.table), operation.object, &operation);
      break;
    case OperationKind::CreateType:
    case OperationKind::AlterType:
    case OperationKind::DropType:
      renderer.type(operation);
      break;
    case OperationKind::CreateSequence:
    case OperationKind::DropSequence:
      renderer.sequence(operation);
      break;
    case OperationKind::CreateRoutine:
    case OperationKind::ReplaceRoutine:
    case OperationKind::DropRoutine:
      renderer.routine(operation);
      break;
    case OperationKind::DropTrigger:
    case OperationKind::CreateTrigger:
      renderer.trigger(operation);
      break;
    case OperationKind::DropView:
    case OperationKind::CreateView:
      break; // with every view, below
    }
  }
  renderer.foreign_keys_in_the_way(rekeyed);
  renderer.views(operations);
  return MigrationScript{renderer.finish(), false};
}

} // namespace dbtool::diff
