#include "dbtool/schema/known_tables.h"

#include "dbtool/util/strings.h"

namespace dbtool::schema {

namespace {

bool says_desc(std::string_view sql) {
  for (std::size_t i = 0; i + 4 <= sql.size(); ++i)
    if (util::equals_ignoring_case(sql.substr(i, 4), "desc"))
      return true;
  return false;
}

} // namespace

const Table*
KnownTables::find(const std::string& name, std::string_view table_sql,
                  const std::vector<std::pair<std::string_view, std::string_view>>& indexes) const {
  const auto table = schema.tables.find(name);
  const auto text = create_sql.find(name);
  if (table == schema.tables.end() || text == create_sql.end() || text->second != table_sql ||
      table->second.indexes.size() != indexes.size())
    return nullptr;
  for (const auto& [index_name, index_sql] : indexes) {
    const auto index_text = create_sql.find(std::string(index_name));
    if (table->second.indexes.count(std::string(index_name)) == 0 ||
        index_text == create_sql.end() || index_text->second != index_sql || says_desc(index_sql))
      return nullptr;
  }
  return &table->second;
}

} // namespace dbtool::schema
