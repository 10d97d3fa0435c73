#include "dbtool/schema/schema.h"

#include "dbtool/util/strings.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

namespace dbtool::schema {

Affinity type_affinity(const std::string& declared_type) {
  const std::string type = util::to_lower(declared_type);
  auto has = [&](const char* part) { return type.find(part) != std::string::npos; };
  if (has("int"))
    return Affinity::Integer;
  if (has("char") || has("clob") || has("text"))
    return Affinity::Text;
  if (type.empty() || has("blob"))
    return Affinity::Blob;
  if (has("real") || has("floa") || has("doub"))
    return Affinity::Real;
  return Affinity::Numeric;
}

const Table* Schema::find_table(const std::string& name) const {
  const auto exact = tables.find(name);
  if (exact != tables.end())
    return &exact->second;
  for (const auto& [key, table] : tables)
    if (util::equals_ignoring_case(key, name))
      return &table;
  return nullptr;
}

const Column* Table::find_column(const std::string& column) const {
  for (const auto& candidate : columns)
    if (candidate.name == column)
      return &candidate;
  return nullptr;
}

bool Table::is_rowid_alias(const std::string& column) const {
  if (without_rowid || !primary_key || primary_key->columns.size() != 1 ||
      primary_key->columns[0] != column)
    return false;
  const Column* found = find_column(column);
  if (found == nullptr)
    return false;
  std::string type = found->type;
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return type == "INTEGER";
}

std::vector<std::string> parents_first(const Schema& schema, const std::set<std::string>& names) {
  std::vector<std::string> order;
  std::set<std::string> done;
  std::multimap<std::string, std::string> by_lower_name; // SQLite's names ignore case
  for (const auto& name : names)
    by_lower_name.emplace(util::to_lower(name), name);
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (!done.insert(name).second)
      return;
    const auto found = schema.tables.find(name);
    if (found != schema.tables.end())
      for (const auto& key : found->second.foreign_keys) {
        const auto [first, last] = by_lower_name.equal_range(util::to_lower(key.ref_table));
        for (auto other = first; other != last; ++other)
          visit(other->second);
      }
    order.push_back(name);
  };
  for (const auto& name : names)
    visit(name);
  return order;
}

} // namespace dbtool::schema
