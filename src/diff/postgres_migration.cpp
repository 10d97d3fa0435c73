#include "dbtool/diff/postgres_migration.h"

#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace dbtool::diff {

namespace {

using schema::Column;
using schema::find_by_name;
using schema::Schema;
using schema::Table;
using schema::uncommented;

std::string q(const std::string& name) {
  return schema::quote_postgres_name(name);
}

// The phases of a migration, in the order their SQL runs. Foreign keys go before the
// keys and unique indexes they stand on; dropped tables before the names of their
// indexes and constraints are taken again; columns before objects are made; enum types
// whose values go are remade before tables are made or altered; unique indexes come
// back before the foreign keys that need them.
enum Phase {
  DropTriggers,
  DropViews,
  DropForeignKeys,
  DropTables,
  DropIndexes,
  DropConstraints,
  DropColumns,
  CreateObjects, // extensions, types, then domains, sequences, functions
  RemakeTypes,   // enum types whose values go or move, with their columns
  CreateTables,
  AlterTables,
  AddConstraints, // after the columns they name exist, with their types
  CreateIndexes,
  AddForeignKeys, // after the keys and indexes they use exist
  CreateViews,    // dependencies first
  CreateTriggers,
  DropObjects,    // functions, sequences, domains, types
  DropExtensions, // after what may use them
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
    out += operation.sql_comment();
  }

  std::array<std::vector<std::pair<const Operation*, std::string>>, PhaseCount> m_steps;
  std::map<const Operation*, std::vector<const Operation*>> m_followers;
};

std::string comment_sql(const std::string& target, const std::string& comment) {
  return schema::render_postgres_comment(target, comment);
}

std::string drop_view_sql(const schema::View& view) {
  return std::string("DROP ") + (view.materialized ? "MATERIALIZED " : "") + "VIEW " +
         q(view.name) + ";\n";
}

// Whether EXPRESSION names COLUMN (as a name token, quoted or not).
bool mentions(const std::string& expression, const std::string& column) {
  const auto tokens = schema::tokenize_sql(expression);
  return std::any_of(tokens.begin(), tokens.end(), [&](const schema::Token& token) {
    return (token.kind == schema::Token::Kind::Word && util::to_lower(token.name()) == column) ||
           (token.kind == schema::Token::Kind::QuotedName && token.value == column);
  });
}

bool mentions_any(const std::string& expression, const std::set<std::string>& columns) {
  return std::any_of(columns.begin(), columns.end(),
                     [&](const std::string& column) { return mentions(expression, column); });
}

bool touches(const std::set<std::string>& columns, const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& name) { return columns.count(name) != 0; });
}

// The family of a PostgreSQL type (format_type's spelling), as far as casts go.
std::string cast_family(const std::string& type) {
  const auto starts = [&](const char* prefix) { return type.rfind(prefix, 0) == 0; };
  if (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0)
    return "array of " + cast_family(type.substr(0, type.size() - 2));
  if (type == "smallint" || type == "integer" || type == "bigint" || starts("numeric") ||
      type == "real" || type == "double precision")
    return "number";
  if (type == "text" || starts("character"))
    return "text";
  if (type == "date" || starts("timestamp"))
    return "time";
  if (starts("time"))
    return "time of day";
  return type;
}

// "col::type", or "col::text::type" where PostgreSQL has no cast from OLD_TYPE to TYPE
// (integer to date): through text, the rows decide (an empty table always converts).
std::string cast_to(const std::string& column, const std::string& old_type,
                    const std::string& type) {
  const std::string from = cast_family(old_type), to = cast_family(type);
  const bool direct = from == to || from == "text" || to == "text" ||
                      (old_type == "integer" && type == "boolean") ||
                      (old_type == "boolean" && type == "integer");
  return column + (direct ? "" : "::text") + "::" + type;
}

// How the columns of one surviving table change under what reads them: RETYPED, a
// type or collation changed; BY_ENUM, the type kept but an enum type remade (the
// column changes type in place); REMADE, generated columns dropped and added again
// (their expression changes, or reads a retyped column). What stands on a remade
// column goes with it and comes back; what computes from a retyped one is made again.
struct ColumnChanges {
  std::set<std::string> retyped, by_enum, remade;

  ColumnChanges(const Table& before, const Table& after,
                const std::set<std::string>& remade_types) {
    for (const auto& column : before.columns) {
      const Column* other = after.find_column(column.name);
      if (other == nullptr)
        continue;
      if (other->type != column.type || other->collation != column.collation)
        retyped.insert(column.name);
      std::string base = column.type;
      if (base.size() > 2 && base.compare(base.size() - 2, 2, "[]") == 0)
        base.resize(base.size() - 2);
      if (other->type == column.type && remade_types.count(base) != 0)
        by_enum.insert(column.name);
    }
    for (const auto& column : after.columns) {
      const Column* old = before.find_column(column.name);
      if (old != nullptr && (old->generated != column.generated ||
                             (column.generated && (mentions_any(*column.generated, retyped) ||
                                                   mentions_any(*column.generated, by_enum)))))
        remade.insert(column.name);
    }
  }

  bool any_retyped() const { return !retyped.empty() || !by_enum.empty(); }

  // An index to make again: it reads a remade column, computes from a retyped one, or
  // keys a column whose collation changes (PostgreSQL's rebuilt index takes the key's
  // collation from the column and can come out another index than a new one).
  bool remakes(const Table& before, const Table& after, const schema::Index& index) const {
    if (touches(remade, index.include))
      return true;
    for (const auto& key : index.keys) {
      if (remade.count(key.column) != 0)
        return true;
      if (!key.expression.empty() &&
          (mentions_any(key.expression, remade) || mentions_any(key.expression, retyped) ||
           mentions_any(key.expression, by_enum)))
        return true;
      if (!key.column.empty() && retyped.count(key.column) != 0) {
        const Column* a = before.find_column(key.column);
        const Column* b = after.find_column(key.column);
        if (a && b && a->collation != b->collation)
          return true;
      }
    }
    return index.where &&
           (mentions_any(*index.where, remade) || mentions_any(*index.where, retyped) ||
            mentions_any(*index.where, by_enum));
  }
};

// The renderer of one migration: what each operation becomes, in its phase.
class Renderer {
 public:
  Renderer(const Schema& from, const Schema& to) : m_from(from), m_to(to) {}

  // Set when a column changes its type or goes: PostgreSQL then refuses while a view
  // reads the table, so every view is dropped first and made again at the end.
  bool views_in_the_way = false;
  // The tables whose columns change type or go: their triggers (UPDATE OF, WHEN) are
  // dropped first and made again at the end, as views are.
  std::set<std::string> retyped_tables;
  // Enum types made again (values gone or moved): their columns change type in place.
  std::set<std::string> remade_types;

  void table(const Table& before, const Table& after, const Operation* listed,
             std::vector<const Operation*> followers) {
    m_planner.list_with(listed, std::move(followers));
    const ColumnChanges changes(before, after, remade_types);
    if (changes.any_retyped())
      retyped_tables.insert(after.name);
    alter_constraints(before, after, changes, listed);
    alter_columns(before, after, changes, listed);
    foreign_keys(&before, after, changes, listed);
    indexes(before, after, changes, listed);
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
    foreign_keys(nullptr, table, ColumnChanges(table, table, {}), nullptr);
  }

  void drop_table(const std::string& name, const Operation* listed) {
    m_planner.add(DropTables, listed, "DROP TABLE " + q(name) + ";\n");
  }

  void list_only(const Operation& operation) { m_planner.list_only(DropIndexes, &operation); }

  void drop_index(const std::string& name, const Operation* listed) {
    m_dropped_indexes.insert(name);
    m_planner.add(DropIndexes, listed, "DROP INDEX " + q(name) + ";\n");
  }

  void create_index(const Table& table, const std::string& name, const Operation* listed) {
    m_created_indexes.insert(name);
    m_planner.add(CreateIndexes, listed,
                  schema::render_postgres_index(table, table.indexes.at(name)));
  }

  void extension(const Operation& operation) {
    if (operation.kind == OperationKind::CreateExtension)
      m_planner.add(CreateObjects, &operation,
                    "CREATE EXTENSION IF NOT EXISTS " + q(operation.table) + ";\n");
    else
      m_planner.add(DropExtensions, &operation,
                    "DROP EXTENSION IF EXISTS " + q(operation.table) + ";\n");
  }

  void comment(const Operation& operation) {
    std::string kind = util::to_upper(operation.object);
    std::string target = kind + " " + q(operation.table);
    std::string text;
    if (operation.object == "view" || operation.object == "materialized view")
      text = m_to.views.at(operation.table).comment;
    else if (operation.object == "type")
      text = m_to.enums.at(operation.table).comment;
    else if (operation.object == "domain")
      text = m_to.domains.at(operation.table).comment;
    else if (operation.object == "sequence")
      text = m_to.sequences.at(operation.table).comment;
    else {
      target = "ROUTINE " + schema::postgres_routine_signature(operation.table);
      text = m_to.routines.at(operation.table).comment;
    }
    // A view made again has its comment already.
    const bool view = operation.object == "view" || operation.object == "materialized view";
    m_planner.add(view ? CreateViews : CreateObjects, &operation,
                  view && views_in_the_way ? std::string() : comment_sql(target, text));
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
        m_domains += "-- " + util::one_line(operation.describe()) + "\nCREATE DOMAIN " + q(name) +
                     " AS " + domain->second.definition + ";\n" +
                     (domain->second.comment.empty()
                          ? ""
                          : comment_sql("DOMAIN " + q(name), domain->second.comment));
      else
        m_planner.list_only(CreateObjects, &operation); // written by hand (see the note)
      return;
    }
    const schema::EnumType& type = m_to.enums.at(name);
    const std::string comment =
        type.comment.empty() ? "" : comment_sql("TYPE " + q(name), type.comment);
    if (operation.kind == OperationKind::CreateType) {
      m_planner.add(CreateObjects, &operation,
                    "CREATE TYPE " + q(name) + " AS ENUM (" + values(type.values) + ");\n" +
                        comment);
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
      // Before tables are made or altered (a new column takes the new type), after what
      // reads its columns went; then what reads them comes back.
      remade_types.insert(name);
      m_planner.add(RemakeTypes, &operation, remake_enum(name, type) + comment);
    }
  }

  void sequence(const Operation& operation) {
    const std::string& name = operation.table;
    if (operation.kind == OperationKind::DropSequence) {
      m_planner.add(DropObjects, &operation, "DROP SEQUENCE " + q(name) + ";\n");
      return;
    }
    const schema::Sequence& sequence = m_to.sequences.at(name);
    // A changed sequence is altered, not made again: its position and the defaults
    // that use it stay.
    if (!operation.changes.empty())
      m_planner.add(CreateObjects, &operation, schema::render_postgres_sequence_alter(sequence));
    else
      m_planner.add(CreateObjects, &operation,
                    schema::render_postgres_sequence(sequence) +
                        (sequence.comment.empty()
                             ? ""
                             : comment_sql("SEQUENCE " + q(name), sequence.comment)));
  }

  void routine(const Operation& operation) {
    const std::string& name = operation.table;
    const std::string target = "ROUTINE " + schema::postgres_routine_signature(name);
    if (operation.kind == OperationKind::DropRoutine) {
      m_planner.add(DropObjects, &operation, "DROP " + target + ";\n");
      return;
    }
    const schema::Routine& routine = m_to.routines.at(name);
    m_planner.add(CreateObjects, &operation,
                  routine.definition + ";\n" +
                      (operation.kind == OperationKind::CreateRoutine && !routine.comment.empty()
                           ? comment_sql(target, routine.comment)
                           : ""));
  }

  void trigger(const Operation& operation) {
    if (operation.kind == OperationKind::DropTrigger) {
      const auto& trigger = m_from.triggers.at(operation.table);
      m_dropped_triggers.insert(trigger.name);
      m_planner.add(DropTriggers, &operation,
                    "DROP TRIGGER " + q(trigger.name) + " ON " + q(trigger.table) + ";\n");
    } else {
      m_created_triggers.insert(operation.table);
      m_planner.add(CreateTriggers, &operation, m_to.triggers.at(operation.table).sql + ";\n");
    }
  }

  // Views last: which are made again depends on every table change. Dependents are
  // dropped first and made last.
  void views(const std::vector<Operation>& operations) {
    const bool any_listed =
        std::any_of(operations.begin(), operations.end(), [](const Operation& operation) {
          return operation.kind == OperationKind::DropView ||
                 operation.kind == OperationKind::CreateView;
        });
    if (!any_listed && !views_in_the_way)
      return; // (ordering every view by its dependencies tokenizes each)
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

  // Triggers that stay on a table whose columns change type or go: PostgreSQL refuses
  // those changes under a trigger's UPDATE OF or WHEN, so they go first and come back.
  void triggers_in_the_way() {
    for (const auto& [name, trigger] : m_to.triggers) {
      const auto old = m_from.triggers.find(name);
      if (old == m_from.triggers.end() || retyped_tables.count(trigger.table) == 0 ||
          m_dropped_triggers.count(name) != 0 || m_created_triggers.count(name) != 0)
        continue;
      m_planner.add(DropTriggers, nullptr,
                    "DROP TRIGGER " + q(name) + " ON " + q(trigger.table) + ";\n");
      m_planner.add(CreateTriggers, nullptr, trigger.sql + ";\n");
    }
  }

  // Foreign keys that stay but refer to a key or unique index that is dropped or
  // changed (or whose columns change type): PostgreSQL refuses to drop a key while a
  // foreign key uses it, so they go first and come back after it.
  void foreign_keys_in_the_way() {
    std::set<std::string> rekeyed;
    for (const auto& [name, after] : m_to.tables)
      if (const auto before = m_from.tables.find(name);
          before != m_from.tables.end() && this->rekeyed(before->second, after))
        rekeyed.insert(name);
    if (rekeyed.empty())
      return;
    for (const auto& [name, after] : m_to.tables) {
      const auto before = m_from.tables.find(name);
      if (before == m_from.tables.end())
        continue;
      for (const auto& key : after.foreign_keys) {
        const auto* old = find_by_name(before->second.foreign_keys, key.name);
        if (old == nullptr || !(*old == key) || rekeyed.count(key.ref_table) == 0 ||
            m_remade_keys.count(name + "\n" + key.name) != 0)
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

  // Whether the primary key, a unique constraint or a unique index of a surviving table
  // goes, changes or sits on a column that changes type in place.
  bool rekeyed(const Table& before, const Table& after) const {
    if (remade_types.empty() && before == after)
      return false; // most tables of a large schema, at no cost
    const auto key = [](const std::optional<schema::PrimaryKey>& k) {
      return k ? std::optional(uncommented(*k)) : std::nullopt;
    };
    if (key(before.primary_key) != key(after.primary_key))
      return true;
    for (const auto& unique : before.unique_constraints) {
      const auto* other = find_by_name(after.unique_constraints, unique.name);
      if (other == nullptr || !(uncommented(*other) == uncommented(unique)))
        return true;
    }
    for (const auto& [name, index] : before.indexes) {
      const auto other = after.indexes.find(name);
      if (index.unique &&
          (other == after.indexes.end() || !(uncommented(other->second) == uncommented(index))))
        return true;
    }
    const ColumnChanges changes(before, after, remade_types);
    std::set<std::string> moved = changes.remade;
    moved.insert(changes.by_enum.begin(), changes.by_enum.end());
    if (after.primary_key && touches(moved, after.primary_key->columns))
      return true;
    return std::any_of(after.unique_constraints.begin(), after.unique_constraints.end(),
                       [&](const auto& unique) { return touches(moved, unique.columns); });
  }

  // The column changes of one surviving table. Generated columns go before the columns
  // they read and come back after every change (made again when a column they read
  // changes type: PostgreSQL refuses that under them); a default goes before a type
  // change it would not fit and comes back after it; an identity goes before a type
  // change and comes after it, each in a statement of its own (PostgreSQL orders one
  // ALTER TABLE's subcommands its own way).
  void alter_columns(const Table& before, const Table& after, const ColumnChanges& changes,
                     const Operation* listed) {
    const std::string table = q(after.name);
    std::vector<std::string> commands;
    std::string first; // statements before the ALTER TABLE
    std::string extra; // statements after it (comments, sequences)
    auto stays = [&](const Column& column) {
      return before.find_column(column.name) != nullptr && changes.remade.count(column.name) == 0;
    };
    for (const bool generated : {true, false})
      for (const auto& column : before.columns) {
        if (column.generated.has_value() != generated)
          continue;
        const Column* other = after.find_column(column.name);
        if (other != nullptr && stays(*other))
          continue;
        m_planner.add(DropColumns, listed,
                      "ALTER TABLE " + table + " DROP COLUMN " + q(column.name) + ";\n");
        views_in_the_way = true;
        retyped_tables.insert(after.name);
      }
    std::vector<const Column*> generated_adds;
    for (const auto& column : after.columns) {
      const Column* old = before.find_column(column.name);
      if (!stays(column) && column.generated) {
        generated_adds.push_back(&column);
        continue;
      }
      const std::string serial = schema::postgres_serial_sequence(column);
      const bool own_serial = !serial.empty() && m_to.sequences.count(serial) == 0;
      if (old == nullptr || old->generated != column.generated) {
        m_planner.add(AlterTables, listed,
                      "ALTER TABLE " + table + " ADD COLUMN " +
                          schema::render_postgres_column(column, m_to) + ";\n" +
                          (own_serial && !column.sequence_options.empty()
                               ? schema::render_postgres_sequence_alter(after, column)
                               : ""));
        if (!column.comment.empty())
          extra += comment_sql("COLUMN " + table + "." + q(column.name), column.comment);
        continue;
      }
      const std::string name = q(column.name);
      const std::string alter = "ALTER COLUMN " + name + " ";
      if (!old->identity.empty() && column.identity.empty())
        first += "ALTER TABLE " + table + " " + alter + "DROP IDENTITY;\n";
      if (old->default_sql != column.default_sql && old->default_sql)
        commands.push_back(alter + "DROP DEFAULT");
      if (old->type != column.type || old->collation != column.collation) {
        views_in_the_way = true;
        commands.push_back(
            alter + "TYPE " + column.type +
            (column.collation.empty() ? "" : " COLLATE " + util::sql_identifier(column.collation)) +
            " USING " + cast_to(name, old->type, column.type));
      }
      if (own_serial && serial != schema::postgres_serial_sequence(*old)) {
        // A column made serial: its sequence, owned by it.
        first += "CREATE SEQUENCE IF NOT EXISTS " + q(serial) + " AS " + column.type + ";\n";
        extra += "ALTER SEQUENCE " + q(serial) + " OWNED BY " + table + "." + name + ";\n" +
                 (column.sequence_options.empty()
                      ? ""
                      : schema::render_postgres_sequence_alter(after, column));
      }
      if (old->default_sql != column.default_sql && column.default_sql)
        commands.push_back(alter + "SET DEFAULT " + *column.default_sql);
      if (old->not_null != column.not_null)
        commands.push_back(alter + (column.not_null ? "SET NOT NULL" : "DROP NOT NULL"));
      if (!column.identity.empty() && old->identity != column.identity) {
        if (old->identity.empty())
          extra += "ALTER TABLE " + table + " " + alter + "ADD " +
                   schema::render_postgres_identity(column) + ";\n";
        else
          commands.push_back(alter + "SET GENERATED " + column.identity);
      }
      // The column's own sequence: its options, and a serial's type, which follows the
      // column's only when told (serial to bigserial); an identity's follows by itself.
      const bool same_sequence = (!old->identity.empty() && !column.identity.empty()) ||
                                 (own_serial && serial == schema::postgres_serial_sequence(*old));
      if (same_sequence && (old->sequence_options != column.sequence_options ||
                            (column.identity.empty() && old->type != column.type)))
        extra += schema::render_postgres_sequence_alter(after, column);
      if (old->comment != column.comment)
        extra += comment_sql("COLUMN " + table + "." + name, column.comment);
    }
    if (before.comment != after.comment)
      extra += comment_sql("TABLE " + table, after.comment);
    if (before.storage_parameters != after.storage_parameters) {
      // RESET the parameters that go, SET those that come or change.
      auto key = [](const std::string& parameter) {
        return parameter.substr(0, parameter.find('='));
      };
      std::vector<std::string> reset, set;
      for (const auto& parameter : before.storage_parameters)
        if (std::none_of(after.storage_parameters.begin(), after.storage_parameters.end(),
                         [&](const std::string& other) { return key(other) == key(parameter); }))
          reset.push_back(key(parameter));
      for (const auto& parameter : after.storage_parameters)
        if (std::find(before.storage_parameters.begin(), before.storage_parameters.end(),
                      parameter) == before.storage_parameters.end())
          set.push_back(parameter);
      if (!reset.empty())
        commands.push_back("RESET (" + util::join(reset, ", ") + ")");
      if (!set.empty())
        commands.push_back("SET (" + util::join(set, ", ") + ")");
    }
    if (!first.empty())
      m_planner.add(AlterTables, listed, first);
    if (!commands.empty())
      m_planner.add(AlterTables, listed,
                    "ALTER TABLE " + table + "\n  " + util::join(commands, ",\n  ") + ";\n");
    if (!extra.empty())
      m_planner.add(AlterTables, listed, extra);
    for (const Column* column : generated_adds)
      m_planner.add(
          AlterTables, listed,
          "ALTER TABLE " + table + " ADD COLUMN " + schema::render_postgres_column(*column, m_to) +
              ";\n" +
              (column->comment.empty()
                   ? ""
                   : comment_sql("COLUMN " + table + "." + q(column->name), column->comment)));
  }

  // Constraints of one surviving table, matched by name: a changed one is dropped and
  // added again, as one over a remade column (or a check over a column an enum remake
  // retypes: its constants are of the old type); a comment alone is COMMENT ON.
  void alter_constraints(const Table& before, const Table& after, const ColumnChanges& changes,
                         const Operation* listed) {
    const std::string table = q(after.name);
    std::vector<std::string> drops, adds;
    std::string comments;
    auto compare = [&](const std::string& name, bool in_before, bool in_after, bool same,
                       const std::string& add_sql, const std::string& old_comment,
                       const std::string& new_comment) {
      const std::string target = "CONSTRAINT " + q(name) + " ON " + table;
      if (in_before && in_after && same) {
        if (old_comment != new_comment)
          comments += comment_sql(target, new_comment);
        return;
      }
      if (in_before)
        drops.push_back("DROP CONSTRAINT " + q(name));
      if (in_after) {
        adds.push_back("ADD " + add_sql);
        if (!new_comment.empty())
          comments += comment_sql(target, new_comment);
      }
    };
    const auto& old_key = before.primary_key;
    const auto& new_key = after.primary_key;
    if (old_key && new_key && old_key->name == new_key->name) {
      compare(new_key->name, true, true,
              uncommented(*old_key) == uncommented(*new_key) &&
                  !touches(changes.remade, new_key->columns) &&
                  !touches(changes.remade, new_key->include),
              schema::render_postgres_primary_key(*new_key), old_key->comment, new_key->comment);
    } else {
      if (old_key)
        drops.push_back("DROP CONSTRAINT " + q(old_key->name));
      if (new_key) {
        adds.push_back("ADD " + schema::render_postgres_primary_key(*new_key));
        if (!new_key->comment.empty())
          comments +=
              comment_sql("CONSTRAINT " + q(new_key->name) + " ON " + table, new_key->comment);
      }
    }
    auto each = [&](const auto& old_items, const auto& new_items, auto render, auto moved) {
      std::set<std::string> names;
      for (const auto& item : old_items)
        names.insert(item.name);
      for (const auto& item : new_items)
        names.insert(item.name);
      for (const auto& name : names) {
        const auto* a = find_by_name(old_items, name);
        const auto* b = find_by_name(new_items, name);
        compare(name, a, b, a && b && uncommented(*a) == uncommented(*b) && !moved(*b),
                b ? render(*b) : "", a ? a->comment : "", b ? b->comment : "");
      }
    };
    each(
        before.unique_constraints, after.unique_constraints,
        [](const auto& item) { return schema::render_postgres_unique(item); },
        [&](const auto& item) {
          return touches(changes.remade, item.columns) || touches(changes.remade, item.include);
        });
    each(
        before.checks, after.checks,
        [](const auto& item) { return schema::render_postgres_check(item); },
        [&](const auto& item) {
          return mentions_any(item.expression, changes.remade) ||
                 mentions_any(item.expression, changes.by_enum);
        });
    each(
        before.exclusions, after.exclusions,
        [](const auto& item) { return schema::render_postgres_exclusion(item); },
        [&](const auto& item) { return mentions_any(item.definition, changes.remade); });
    if (!drops.empty())
      m_planner.add(DropConstraints, listed,
                    "ALTER TABLE " + table + "\n  " + util::join(drops, ",\n  ") + ";\n");
    if (!adds.empty())
      m_planner.add(AddConstraints, listed,
                    "ALTER TABLE " + table + "\n  " + util::join(adds, ",\n  ") + ";\n");
    if (!comments.empty())
      m_planner.add(AddConstraints, listed, comments);
  }

  void foreign_keys(const Table* before, const Table& after, const ColumnChanges& changes,
                    const Operation* listed) {
    std::set<std::string> names;
    if (before)
      for (const auto& key : before->foreign_keys)
        names.insert(key.name);
    for (const auto& key : after.foreign_keys)
      names.insert(key.name);
    for (const auto& name : names) {
      const auto* a = before ? find_by_name(before->foreign_keys, name) : nullptr;
      const auto* b = find_by_name(after.foreign_keys, name);
      // Over a column remade, or retyped in place by an enum remake: made again.
      const bool moved =
          b && (touches(changes.remade, b->columns) || touches(changes.by_enum, b->columns));
      if (a && b && uncommented(*a) == uncommented(*b) && !moved) {
        if (a->comment != b->comment)
          m_planner.add(AddForeignKeys, listed,
                        comment_sql("CONSTRAINT " + q(name) + " ON " + q(after.name), b->comment));
        continue;
      }
      if (a && b)
        m_remade_keys.insert(after.name + "\n" + name);
      if (a)
        m_planner.add(DropForeignKeys, listed,
                      "ALTER TABLE " + q(after.name) + " DROP CONSTRAINT " + q(name) + ";\n");
      if (b)
        m_planner.add(AddForeignKeys, listed, schema::render_postgres_foreign_key(after, *b));
    }
  }

  // Indexes that stay but must be made again (ColumnChanges::remakes), and comments
  // alone; changed indexes are operations of their own.
  void indexes(const Table& before, const Table& after, const ColumnChanges& changes,
               const Operation* listed) {
    for (const auto& [name, index] : after.indexes) {
      const auto old = before.indexes.find(name);
      if (old == before.indexes.end() || !(uncommented(old->second) == uncommented(index)) ||
          m_dropped_indexes.count(name) != 0 || m_created_indexes.count(name) != 0)
        continue;
      if (changes.remakes(before, after, index)) {
        m_planner.add(DropIndexes, nullptr, "DROP INDEX " + q(name) + ";\n");
        m_planner.add(CreateIndexes, nullptr, schema::render_postgres_index(after, index));
      } else if (old->second.comment != index.comment) {
        m_planner.add(CreateIndexes, listed, comment_sql("INDEX " + q(name), index.comment));
      }
    }
  }

  // Remakes enum type NAME with TYPE's values when values go or move (PostgreSQL can
  // only add them): the old type is renamed away, the new one made, and every column
  // that keeps the type cast through text (a row holding a value that goes makes the
  // migration fail, with nothing lost); the old type is dropped last (columns changing
  // from it to another type are altered after).
  std::string remake_enum(const std::string& name, const schema::EnumType& type) {
    const std::string old_name = q(name + "__dbtool_old");
    std::string sql = "ALTER TYPE " + q(name) + " RENAME TO " + old_name + ";\nCREATE TYPE " +
                      q(name) + " AS ENUM (" + values(type.values) + ");\n";
    for (const auto& [table_name, table] : m_to.tables)
      for (const auto& column : table.columns) {
        if (column.type != name && column.type != name + "[]")
          continue;
        const auto old_table = m_from.tables.find(table_name);
        const Column* old =
            old_table == m_from.tables.end() ? nullptr : old_table->second.find_column(column.name);
        if (old == nullptr || old->type != column.type)
          continue;
        const std::string target =
            "ALTER TABLE " + q(table_name) + " ALTER COLUMN " + q(column.name);
        if (column.default_sql || old->default_sql)
          sql += target + " DROP DEFAULT;\n";
        sql += target + " TYPE " + column.type + " USING " + q(column.name) + "::text" +
               (column.type == name ? "" : "[]") + "::" + column.type + ";\n";
        if (column.default_sql)
          sql += target + " SET DEFAULT " + *column.default_sql + ";\n";
        views_in_the_way = true;
      }
    m_planner.add(DropObjects, nullptr, "DROP TYPE " + old_name + ";\n");
    return sql;
  }

  const Schema& m_from;
  const Schema& m_to;
  Planner m_planner;
  std::string m_domains;
  std::set<std::string> m_dropped_indexes, m_created_indexes;
  std::set<std::string> m_dropped_triggers, m_created_triggers;
  std::set<std::string> m_remade_keys; // "table\nkey": foreign keys dropped and added already
};

} // namespace

MigrationScript render_postgres_migration(const Schema& from, const Schema& to,
                                          const std::vector<Operation>& operations) {
  Renderer renderer(from, to);
  // Index and trigger operations first (a table's rendering needs to know which it
  // makes itself), then the rest in order: types come before the tables that use them.
  for (const auto& operation : operations)
    if (operation.kind == OperationKind::DropIndex && to.tables.count(operation.table) == 0)
      renderer.list_only(operation); // its table is dropped before indexes are: it went along
    else if (operation.kind == OperationKind::DropIndex)
      renderer.drop_index(operation.object, &operation);
    else if (operation.kind == OperationKind::CreateIndex)
      renderer.create_index(to.tables.at(operation.table), operation.object, &operation);
    else if (operation.kind == OperationKind::DropTrigger ||
             operation.kind == OperationKind::CreateTrigger)
      renderer.trigger(operation);
  std::set<std::string> rendered; // tables whose changes were rendered
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
             operations[end].changes_table())
        ++end;
      std::vector<const Operation*> followers;
      for (std::size_t j = k + 1; j < end; ++j)
        followers.push_back(&operations[j]);
      renderer.table(from.tables.at(operation.table), to.tables.at(operation.table), &operation,
                     std::move(followers));
      rendered.insert(operation.table);
      k = end - 1;
      break;
    }
    case OperationKind::CreateTable:
      renderer.create_table(to.tables.at(operation.table), &operation);
      break;
    case OperationKind::DropTable:
      renderer.drop_table(operation.table, &operation);
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
    case OperationKind::CreateExtension:
    case OperationKind::DropExtension:
      renderer.extension(operation);
      break;
    case OperationKind::Comment:
      break; // after the views know whether they are made again, below
    case OperationKind::DropIndex:
    case OperationKind::CreateIndex:
    case OperationKind::DropTrigger:
    case OperationKind::CreateTrigger:
    case OperationKind::DropView:
    case OperationKind::CreateView:
      break; // above, or with every view below
    }
  }
  // A table with no operation of its own still changes under an enum type remade (its
  // columns change type in place): what reads those columns goes and comes back.
  if (!renderer.remade_types.empty())
    for (const auto& [name, after] : to.tables)
      if (const auto before = from.tables.find(name);
          before != from.tables.end() && rendered.count(name) == 0)
        renderer.table(before->second, after, nullptr, {});
  renderer.foreign_keys_in_the_way();
  renderer.views(operations);
  renderer.triggers_in_the_way();
  for (const auto& operation : operations)
    if (operation.kind == OperationKind::Comment)
      renderer.comment(operation);
  return MigrationScript{renderer.finish(), false};
}

} // namespace dbtool::diff
