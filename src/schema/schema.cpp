#include "dbtool/schema/schema.h"

#include "dbtool/util/strings.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

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
  return find_by_name(columns, column);
}

const Column* Table::find_column_ignoring_case(const std::string& column) const {
  for (const auto& candidate : columns)
    if (util::equals_ignoring_case(candidate.name, column))
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
  // A depth-first walk along the foreign keys, iterative (a chain of 100,000 tables is
  // no deeper on the stack than one) and without a string set: a table is done when
  // first reached, so a cycle is broken where it closes.
  const std::vector<const std::string*> all = [&] {
    std::vector<const std::string*> out;
    for (const auto& name : names)
      out.push_back(&name);
    return out;
  }();
  std::unordered_map<std::string, std::vector<std::size_t>> by_lower_name; // in NAMES order
  for (std::size_t k = 0; k < all.size(); ++k)
    by_lower_name[util::to_lower(*all[k])].push_back(k);
  // Each table's parents among NAMES, in the order of its foreign keys.
  auto parents_of = [&](std::size_t k) {
    std::vector<std::size_t> parents;
    const auto found = schema.tables.find(*all[k]);
    if (found != schema.tables.end())
      for (const auto& key : found->second.foreign_keys) {
        const auto matches = by_lower_name.find(util::to_lower(key.ref_table));
        if (matches != by_lower_name.end())
          parents.insert(parents.end(), matches->second.begin(), matches->second.end());
      }
    return parents;
  };
  struct Frame {
    std::size_t table;
    std::vector<std::size_t> parents;
    std::size_t next = 0;
  };
  std::vector<std::string> order;
  std::vector<char> done(all.size(), 0);
  std::vector<Frame> stack;
  for (std::size_t root = 0; root < all.size(); ++root) {
    if (done[root] != 0)
      continue;
    done[root] = 1;
    stack.push_back({root, parents_of(root)});
    while (!stack.empty()) {
      Frame& frame = stack.back();
      if (frame.next < frame.parents.size()) {
        const std::size_t parent = frame.parents[frame.next++];
        if (done[parent] == 0) {
          done[parent] = 1;
          stack.push_back({parent, parents_of(parent)}); // FRAME is not used after this
        }
        continue;
      }
      order.push_back(*all[frame.table]);
      stack.pop_back();
    }
  }
  return order;
}

} // namespace dbtool::schema
