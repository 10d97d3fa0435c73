#include "dbtool/schema/postgres_equivalence.h"

#include "dbtool/error.h"
#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/schema/sql_tokens.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace dbtool::schema {

namespace {

enum class Kind { Check, Exclusion, Default, Generated, Index, View, Trigger, Domain };

// One object both schemas have, whose two texts ([0] live, [1] declared) are run again
// until they agree or stop changing.
struct Probe {
  Kind kind;
  std::string table;  // the table (Check, Exclusion, Default, Generated, Index)
  std::string object; // the constraint, column, index, view, trigger or domain
  std::array<std::string, 2> text;
  std::string live_text;       // text[0] as the live database has it
  std::array<Index, 2> index;  // Kind::Index: the whole index
  std::string column_type;     // Kind::Default, Kind::Generated
  bool materialized = false;   // Kind::View
  std::optional<bool> verdict; // set once settled: same or not
};

std::string q(const std::string& name) {
  return quote_postgres_name(name);
}

std::string probe_name(std::size_t probe, std::size_t side) {
  return "dbtool_probe_" + std::to_string(probe) + "_" + std::to_string(side);
}

// TEXT (a CREATE [CONSTRAINT] TRIGGER statement) with the trigger's name replaced.
std::string renamed_trigger(const std::string& text, const std::string& name) {
  const auto tokens = tokenize_sql(text);
  for (std::size_t k = 0; k + 1 < tokens.size(); ++k)
    if (tokens[k].is_word("TRIGGER"))
      return text.substr(0, tokens[k + 1].offset) + name +
             text.substr(tokens[k + 1].offset + tokens[k + 1].text.size());
  return text;
}

// The statement that makes side SIDE of PROBE under the name NAME.
std::string probe_sql(const Probe& probe, std::size_t side, const std::string& name) {
  const std::string& text = probe.text[side];
  switch (probe.kind) {
  case Kind::Check:
    return "ALTER TABLE " + q(probe.table) + " ADD CONSTRAINT " + q(name) + " CHECK (" + text +
           ") NOT VALID";
  case Kind::Exclusion:
    return "ALTER TABLE " + q(probe.table) + " ADD CONSTRAINT " + q(name) + " " + text;
  case Kind::Default:
    return "ALTER TABLE " + q(probe.table) + " ADD COLUMN " + q(name) + " " + probe.column_type +
           " DEFAULT " + text;
  case Kind::Generated:
    return "ALTER TABLE " + q(probe.table) + " ADD COLUMN " + q(name) + " " + probe.column_type +
           " GENERATED ALWAYS AS (" + text + ") STORED";
  case Kind::Index: {
    Index index = probe.index[side];
    index.name = name;
    Table table;
    table.name = probe.table;
    return render_postgres_index(table, index);
  }
  case Kind::View:
    return std::string("CREATE ") + (probe.materialized ? "MATERIALIZED " : "") + "VIEW " +
           q(name) + " AS " + text + (probe.materialized ? " WITH NO DATA" : "");
  case Kind::Trigger:
    return renamed_trigger(text, q(name));
  case Kind::Domain:
    return "CREATE DOMAIN " + q(name) + " AS " + text;
  }
  return {};
}

// What the server made of side SIDE of PROBE (named NAME) in SCHEMA; nothing if it is
// not there.
std::optional<std::string> read_back(const Probe& probe, const std::string& name,
                                     const Schema& schema, Index* index) {
  const auto table = schema.tables.find(probe.table);
  switch (probe.kind) {
  case Kind::Check:
    if (table != schema.tables.end())
      if (const auto* check = find_by_name(table->second.checks, name))
        return check->expression;
    return std::nullopt;
  case Kind::Exclusion:
    if (table != schema.tables.end())
      if (const auto* exclusion = find_by_name(table->second.exclusions, name))
        return exclusion->definition;
    return std::nullopt;
  case Kind::Default:
  case Kind::Generated:
    if (table != schema.tables.end())
      if (const Column* column = table->second.find_column(name))
        return probe.kind == Kind::Default ? column->default_sql : column->generated;
    return std::nullopt;
  case Kind::Index:
    if (table != schema.tables.end())
      if (const auto found = table->second.indexes.find(name);
          found != table->second.indexes.end()) {
        *index = found->second;
        index->name = probe.object;
        return render_postgres_index(table->second, *index);
      }
    return std::nullopt;
  case Kind::View:
    if (const auto found = schema.views.find(name); found != schema.views.end())
      return found->second.sql;
    return std::nullopt;
  case Kind::Trigger:
    if (const auto found = schema.triggers.find(name); found != schema.triggers.end())
      return renamed_trigger(found->second.sql, q(probe.object));
    return std::nullopt;
  case Kind::Domain:
    if (const auto found = schema.domains.find(name); found != schema.domains.end())
      return found->second.definition;
    return std::nullopt;
  }
  return std::nullopt;
}

// The objects both schemas have whose texts differ.
std::vector<Probe> probes_for(const Schema& live, const Schema& declared) {
  std::vector<Probe> probes;
  auto add = [&](Kind kind, const std::string& table, const std::string& object,
                 const std::string& live_text, const std::string& declared_text) {
    Probe probe;
    probe.kind = kind;
    probe.table = table;
    probe.object = object;
    probe.text = {live_text, declared_text};
    probe.live_text = live_text;
    probes.push_back(std::move(probe));
    return &probes.back();
  };
  for (const auto& [name, table] : declared.tables) {
    const auto found = live.tables.find(name);
    if (found == live.tables.end())
      continue;
    const Table& old = found->second;
    for (const auto& check : table.checks)
      if (const auto* other = find_by_name(old.checks, check.name);
          other && other->expression != check.expression)
        add(Kind::Check, name, check.name, other->expression, check.expression);
    for (const auto& exclusion : table.exclusions)
      if (const auto* other = find_by_name(old.exclusions, exclusion.name);
          other && other->definition != exclusion.definition)
        add(Kind::Exclusion, name, exclusion.name, other->definition, exclusion.definition);
    for (const auto& column : table.columns) {
      const Column* other = old.find_column(column.name);
      if (other == nullptr || other->type != column.type)
        continue;
      if (column.default_sql && other->default_sql && *column.default_sql != *other->default_sql)
        add(Kind::Default, name, column.name, *other->default_sql, *column.default_sql)
            ->column_type = column.type;
      if (column.generated && other->generated && *column.generated != *other->generated)
        add(Kind::Generated, name, column.name, *other->generated, *column.generated)->column_type =
            column.type;
    }
    for (const auto& [index_name, index] : table.indexes)
      if (const auto other = old.indexes.find(index_name);
          other != old.indexes.end() && !(other->second == index)) {
        Probe* probe = add(Kind::Index, name, index_name, render_postgres_index(old, other->second),
                           render_postgres_index(table, index));
        probe->index = {other->second, index};
      }
  }
  for (const auto& [name, view] : declared.views)
    if (const auto other = live.views.find(name); other != live.views.end() &&
                                                  other->second.sql != view.sql &&
                                                  other->second.materialized == view.materialized)
      add(Kind::View, {}, name, other->second.sql, view.sql)->materialized = view.materialized;
  for (const auto& [name, trigger] : declared.triggers)
    if (const auto other = live.triggers.find(name); other != live.triggers.end() &&
                                                     other->second.table == trigger.table &&
                                                     other->second.sql != trigger.sql)
      add(Kind::Trigger, trigger.table, name, other->second.sql, trigger.sql);
  for (const auto& [name, domain] : declared.domains)
    if (const auto other = live.domains.find(name);
        other != live.domains.end() && other->second.definition != domain.definition)
      add(Kind::Domain, {}, name, other->second.definition, domain.definition);
  return probes;
}

// DECLARED's object of PROBE takes LIVE's.
void take_live(const Probe& probe, const Schema& live, Schema& declared) {
  switch (probe.kind) {
  case Kind::Check:
    for (auto& check : declared.tables.at(probe.table).checks)
      if (check.name == probe.object)
        check.expression = probe.live_text;
    break;
  case Kind::Exclusion:
    for (auto& exclusion : declared.tables.at(probe.table).exclusions)
      if (exclusion.name == probe.object)
        exclusion.definition = probe.live_text;
    break;
  case Kind::Default:
  case Kind::Generated:
    for (auto& column : declared.tables.at(probe.table).columns)
      if (column.name == probe.object)
        (probe.kind == Kind::Default ? column.default_sql : column.generated) = probe.live_text;
    break;
  case Kind::Index:
    declared.tables.at(probe.table).indexes.at(probe.object) =
        live.tables.at(probe.table).indexes.at(probe.object);
    break;
  case Kind::View:
    declared.views.at(probe.object).sql = probe.live_text;
    break;
  case Kind::Trigger:
    declared.triggers.at(probe.object).sql = probe.live_text;
    break;
  case Kind::Domain:
    declared.domains.at(probe.object).definition = probe.live_text;
    break;
  }
}

// Runs SQL under a savepoint; false (and nothing done) when the server rejects it.
bool try_execute(db::Connection& connection, const std::string& sql) {
  connection.execute("SAVEPOINT dbtool_probe");
  try {
    connection.execute(sql);
  } catch (const Error&) {
    connection.execute("ROLLBACK TO SAVEPOINT dbtool_probe");
    return false;
  }
  connection.execute("RELEASE SAVEPOINT dbtool_probe");
  return true;
}

} // namespace

void reconcile_postgres_expressions(db::Connection& connection, const Schema& live,
                                    Schema& declared) {
  std::vector<Probe> probes = probes_for(live, declared);
  // A text the server rewrites settles on its second reading; a few rounds more are
  // margin, never needed so far.
  for (int round = 0; round < 4; ++round) {
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < probes.size(); ++i)
      if (!probes[i].verdict)
        open.push_back(i);
    if (open.empty())
      break;
    connection.execute("SAVEPOINT dbtool_probes");
    std::string all;
    for (std::size_t i : open)
      for (std::size_t side = 0; side < 2; ++side)
        all += probe_sql(probes[i], side, probe_name(i, side)) + ";\n";
    // All of them in one round trip; when one is refused, one by one.
    if (!try_execute(connection, all))
      for (std::size_t i : open)
        for (std::size_t side = 0; side < 2; ++side)
          if (!try_execute(connection, probe_sql(probes[i], side, probe_name(i, side))))
            probes[i].verdict = false;
    const Schema read = introspect_postgres(connection);
    connection.execute("ROLLBACK TO SAVEPOINT dbtool_probes; RELEASE SAVEPOINT dbtool_probes");
    for (std::size_t i : open) {
      Probe& probe = probes[i];
      if (probe.verdict)
        continue;
      std::array<std::optional<std::string>, 2> again;
      for (std::size_t side = 0; side < 2; ++side)
        again[side] = read_back(probe, probe_name(i, side), read, &probe.index[side]);
      if (!again[0] || !again[1]) {
        probe.verdict = false;
      } else if (*again[0] == *again[1]) {
        probe.verdict = true;
      } else if (*again[0] == probe.text[0] && *again[1] == probe.text[1]) {
        probe.verdict = false; // both stable, and different
      } else {
        probe.text = {*again[0], *again[1]};
      }
    }
  }
  for (const auto& probe : probes)
    if (probe.verdict.value_or(false))
      take_live(probe, live, declared);
}

} // namespace dbtool::schema
