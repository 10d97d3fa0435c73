// schema_to_json: a model written in the JSON model format, one function per kind of
// object, in the order the format lists them.
#include "dbtool/schema/generic_types.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/util/json_writer.h"
#include "dbtool/util/strings.h"

#include <map>

namespace dbtool::schema {

namespace {

// Writes one model; generic types are looked up once per declared type (a schema's
// columns share a handful of them).
class ModelWriter {
 public:
  ModelWriter(std::string& text, bool postgres) : m_out(text), m_postgres(postgres) {}

  void write(const Schema& schema) {
    m_out.begin_object();
    m_out.key("tables");
    m_out.begin_array();
    for (const auto& [name, table] : schema.tables)
      write_table(table);
    m_out.end_array();
    write_views(schema);
    write_triggers(schema);
    write_enums(schema);
    write_domains(schema);
    write_sequences(schema);
    write_routines(schema);
    if (!schema.extensions.empty()) {
      std::vector<std::string> names;
      for (const auto& [name, extension] : schema.extensions)
        names.push_back(name);
      m_out.field("extensions", names);
    }
    m_out.end_object();
  }

 private:
  const std::optional<std::string>& generic_type(const std::string& declared) {
    auto found = m_generic_types.find(declared);
    if (found == m_generic_types.end())
      found = m_generic_types
                  .emplace(declared, m_postgres ? generic_for_postgres(declared)
                                                : generic_for_sqlite(declared))
                  .first;
    return found->second;
  }

  // A one-column primary key with nothing else to say (no name, conflict clause or
  // PostgreSQL options) is written on its column.
  static bool key_on_column(const Table& table) {
    const auto& key = table.primary_key;
    return key && key->columns.size() == 1 && key->name.empty() && key->on_conflict.empty() &&
           !key->deferrable && !key->deferrable_immediate && key->include.empty() &&
           key->storage_parameters.empty() && key->comment.empty();
  }

  // PostgreSQL's DEFERRABLE: true for INITIALLY DEFERRED, "immediate" for INITIALLY
  // IMMEDIATE; nothing for NOT DEFERRABLE.
  void write_deferrable(bool deferred, bool immediate) {
    if (deferred)
      m_out.field("deferrable", true);
    else if (immediate)
      m_out.field("deferrable", "immediate");
  }

  // What a key's index may carry on PostgreSQL: INCLUDE, WITH (...), and a comment.
  void write_index_options(const std::vector<std::string>& include,
                           const std::vector<std::string>& storage_parameters,
                           const std::string& comment) {
    if (!include.empty())
      m_out.field("include", include);
    if (!storage_parameters.empty())
      m_out.field("with", storage_parameters);
    if (!comment.empty())
      m_out.field("comment", comment);
  }

  // PostgreSQL: a one-column integer primary key without an identity, a default or a
  // generation, which the reader makes an identity column unless told otherwise.
  static bool plain_integer_key(const Table& table, const Column& column) {
    return table.primary_key && table.primary_key->columns.size() == 1 &&
           table.primary_key->columns[0] == column.name && column.type == "integer" &&
           !column.default_sql && !column.generated;
  }

  void write_table(const Table& table) {
    m_out.begin_object();
    m_out.field("name", table.name);
    m_out.key("columns");
    m_out.begin_array();
    for (const auto& column : table.columns)
      write_column(table, column);
    m_out.end_array();
    if (table.primary_key && !key_on_column(table))
      write_primary_key(*table.primary_key);
    write_unique_constraints(table);
    write_check_constraints(table);
    write_foreign_keys(table);
    write_indexes(table);
    write_exclusion_constraints(table);
    if (table.without_rowid)
      m_out.field("without_rowid", true);
    if (table.strict)
      m_out.field("strict", true);
    if (!table.comment.empty())
      m_out.field("comment", table.comment);
    if (!table.storage_parameters.empty())
      m_out.field("with", table.storage_parameters);
    m_out.end_object();
  }

  void write_column(const Table& table, const Column& column) {
    m_out.begin_object();
    m_out.field("name", column.name);
    if (const auto& generic = generic_type(column.type)) {
      m_out.field("type", *generic);
    } else if (m_postgres) {
      m_out.field("type", "text"); // what other dialects get; PostgreSQL's own type follows
      m_out.field("postgres_type", column.type);
    } else {
      m_out.field("type", generic_by_affinity(column.type));
      m_out.field("sqlite_type", column.type);
    }
    if (!column.identity.empty())
      m_out.field("identity", util::to_lower(column.identity));
    else if (m_postgres && plain_integer_key(table, column))
      m_out.field("identity", "none"); // read back, it would get one by default
    if (key_on_column(table) && table.primary_key->columns[0] == column.name) {
      m_out.field("primary_key", true);
      if (table.primary_key->autoincrement)
        m_out.field("autoincrement", true);
      if (column.not_null)
        m_out.field("nullable", false);
    } else {
      m_out.field("nullable", !column.not_null);
    }
    if (column.default_sql)
      m_out.field("default", *column.default_sql);
    if (!column.collation.empty())
      m_out.field("collation", column.collation);
    if (!column.not_null_conflict.empty())
      m_out.field("not_null_on_conflict", column.not_null_conflict);
    if (!column.comment.empty())
      m_out.field("comment", column.comment);
    if (!column.sequence_options.empty())
      m_out.field("sequence_options", column.sequence_options);
    if (column.generated) {
      m_out.key("generated");
      m_out.begin_object();
      m_out.field("expression", *column.generated);
      m_out.field("stored", column.generated_stored);
      m_out.end_object();
    }
    m_out.end_object();
  }

  void write_primary_key(const PrimaryKey& key) {
    m_out.key("primary_key");
    m_out.begin_object();
    m_out.field("columns", key.columns);
    if (!key.name.empty())
      m_out.field("name", key.name);
    if (key.autoincrement)
      m_out.field("autoincrement", true);
    if (!key.on_conflict.empty())
      m_out.field("on_conflict", key.on_conflict);
    write_deferrable(key.deferrable, key.deferrable_immediate);
    write_index_options(key.include, key.storage_parameters, key.comment);
    m_out.end_object();
  }

  void write_unique_constraints(const Table& table) {
    if (table.unique_constraints.empty())
      return;
    m_out.key("unique_constraints");
    m_out.begin_array();
    for (const auto& unique : table.unique_constraints) {
      m_out.begin_object();
      m_out.field("name", unique.name);
      m_out.field("columns", unique.columns);
      if (!unique.on_conflict.empty())
        m_out.field("on_conflict", unique.on_conflict);
      write_deferrable(unique.deferrable, unique.deferrable_immediate);
      if (unique.nulls_not_distinct)
        m_out.field("nulls_not_distinct", true);
      write_index_options(unique.include, unique.storage_parameters, unique.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_check_constraints(const Table& table) {
    if (table.checks.empty())
      return;
    m_out.key("check_constraints");
    m_out.begin_array();
    for (const auto& check : table.checks) {
      m_out.begin_object();
      m_out.field("name", check.name);
      m_out.field("expression", check.expression);
      if (check.no_inherit)
        m_out.field("no_inherit", true);
      if (!check.comment.empty())
        m_out.field("comment", check.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_foreign_keys(const Table& table) {
    if (table.foreign_keys.empty())
      return;
    m_out.key("foreign_keys");
    m_out.begin_array();
    for (const auto& key : table.foreign_keys) {
      m_out.begin_object();
      m_out.field("columns", key.columns);
      m_out.key("references");
      m_out.begin_object();
      m_out.field("table", key.ref_table);
      m_out.field("columns", key.ref_columns);
      m_out.end_object();
      m_out.field("on_delete", key.on_delete);
      m_out.field("on_update", key.on_update);
      if (!key.name.empty())
        m_out.field("name", key.name);
      write_deferrable(key.deferrable, key.deferrable_immediate);
      if (!key.match.empty())
        m_out.field("match", util::to_lower(key.match));
      if (!key.comment.empty())
        m_out.field("comment", key.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_index_key(const IndexKey& key) {
    if (key.expression.empty() && key.collation.empty() && !key.descending && key.nulls.empty() &&
        key.opclass.empty()) {
      m_out.value(key.column);
      return;
    }
    m_out.begin_object();
    if (key.expression.empty())
      m_out.field("column", key.column);
    else
      m_out.field("expression", key.expression);
    if (!key.collation.empty())
      m_out.field("collation", key.collation);
    if (key.descending)
      m_out.field("desc", true);
    if (!key.nulls.empty())
      m_out.field("nulls", util::to_lower(key.nulls));
    if (!key.opclass.empty())
      m_out.field("opclass", key.opclass);
    m_out.end_object();
  }

  void write_indexes(const Table& table) {
    if (table.indexes.empty())
      return;
    m_out.key("indexes");
    m_out.begin_array();
    for (const auto& [name, index] : table.indexes) {
      m_out.begin_object();
      m_out.field("name", index.name);
      m_out.field("unique", index.unique);
      m_out.key("columns");
      m_out.begin_array();
      for (const auto& key : index.keys)
        write_index_key(key);
      m_out.end_array();
      if (index.where)
        m_out.field("where", *index.where);
      if (!index.method.empty())
        m_out.field("method", index.method);
      if (index.nulls_not_distinct)
        m_out.field("nulls_not_distinct", true);
      write_index_options(index.include, index.storage_parameters, index.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_exclusion_constraints(const Table& table) {
    if (table.exclusions.empty())
      return;
    m_out.key("exclusion_constraints");
    m_out.begin_array();
    for (const auto& exclusion : table.exclusions) {
      m_out.begin_object();
      m_out.field("name", exclusion.name);
      m_out.field("definition", exclusion.definition);
      if (!exclusion.comment.empty())
        m_out.field("comment", exclusion.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_views(const Schema& schema) {
    if (schema.views.empty())
      return;
    m_out.key("views");
    m_out.begin_array();
    for (const auto& [name, view] : schema.views) {
      m_out.begin_object();
      m_out.field("name", view.name);
      m_out.field("sql", view.sql);
      if (!view.columns.empty())
        m_out.field("columns", view.columns);
      if (view.materialized)
        m_out.field("materialized", true);
      if (!view.comment.empty())
        m_out.field("comment", view.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_triggers(const Schema& schema) {
    if (schema.triggers.empty())
      return;
    m_out.key("triggers");
    m_out.begin_array();
    for (const auto& [name, trigger] : schema.triggers) {
      m_out.begin_object();
      m_out.field("name", trigger.name);
      m_out.field("table", trigger.table);
      m_out.field("sql", trigger.sql);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_enums(const Schema& schema) {
    if (schema.enums.empty())
      return;
    m_out.key("enums");
    m_out.begin_array();
    for (const auto& [name, type] : schema.enums) {
      m_out.begin_object();
      m_out.field("name", type.name);
      m_out.field("values", type.values);
      if (!type.comment.empty())
        m_out.field("comment", type.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_domains(const Schema& schema) {
    if (schema.domains.empty())
      return;
    m_out.key("domains");
    m_out.begin_array();
    for (const auto& [name, domain] : schema.domains) {
      m_out.begin_object();
      m_out.field("name", domain.name);
      m_out.field("definition", domain.definition);
      if (!domain.comment.empty())
        m_out.field("comment", domain.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_sequences(const Schema& schema) {
    if (schema.sequences.empty())
      return;
    m_out.key("sequences");
    m_out.begin_array();
    for (const auto& [name, sequence] : schema.sequences) {
      m_out.begin_object();
      m_out.field("name", sequence.name);
      m_out.field("type", sequence.type);
      m_out.field("start", std::to_string(sequence.start));
      m_out.field("increment", std::to_string(sequence.increment));
      if (!sequence.options.empty())
        m_out.field("options", sequence.options);
      if (!sequence.comment.empty())
        m_out.field("comment", sequence.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  void write_routines(const Schema& schema) {
    if (schema.routines.empty())
      return;
    m_out.key("routines");
    m_out.begin_array();
    for (const auto& [name, routine] : schema.routines) {
      m_out.begin_object();
      m_out.field("name", routine.name);
      m_out.field("definition", routine.definition);
      if (!routine.comment.empty())
        m_out.field("comment", routine.comment);
      m_out.end_object();
    }
    m_out.end_array();
  }

  util::JsonWriter m_out;
  bool m_postgres;
  std::map<std::string, std::optional<std::string>, std::less<>> m_generic_types;
};

} // namespace

std::string schema_to_json(const Schema& schema, config::Backend backend) {
  std::string text;
  ModelWriter(text, backend == config::Backend::Postgres).write(schema);
  return text;
}

} // namespace dbtool::schema
