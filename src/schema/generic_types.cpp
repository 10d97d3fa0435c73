#include "dbtool/schema/generic_types.h"

#include "dbtool/error.h"
#include "dbtool/schema/schema.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace dbtool::schema {

std::string sqlite_type_for(const std::string& generic) {
  // A generic name without arguments, as written (the common case, looked up before any
  // string is built) or trimmed and lower-cased.
  static const std::map<std::string, std::string> plain = {{"integer", "INTEGER"},
                                                           {"bigint", "BIGINT"},
                                                           {"smallint", "SMALLINT"},
                                                           {"text", "TEXT"},
                                                           {"boolean", "BOOLEAN"},
                                                           {"float", "FLOAT"},
                                                           {"double", "DOUBLE"},
                                                           {"date", "DATE"},
                                                           {"time", "TIME"},
                                                           {"datetime", "DATETIME"},
                                                           {"json", "JSON"},
                                                           {"uuid", "UUID"},
                                                           {"timestamp_tz", "TIMESTAMPTZ"},
                                                           {"blob", "BLOB"},
                                                           {"timestamp", "TIMESTAMP"},
                                                           {"string", "VARCHAR"},
                                                           {"numeric", "NUMERIC"}};
  if (const auto found = plain.find(generic); found != plain.end())
    return found->second;
  const std::string text = util::to_lower(std::string(util::trim(generic)));
  const auto open = text.find('(');
  const std::string base = std::string(util::trim(text.substr(0, open)));
  std::string arguments;
  if (open != std::string::npos) {
    const auto close = text.rfind(')');
    if (close == std::string::npos || close < open)
      throw Error(ErrorKind::Project, "unknown type '" + generic + "'");
    arguments = std::string(util::trim(text.substr(open + 1, close - open - 1)));
  }
  auto numbers_only = [&](std::size_t most) {
    const auto parts = util::split_list(arguments);
    if (parts.empty() || parts.size() > most)
      return false;
    for (const auto& part : parts)
      if (part.empty() || !std::all_of(part.begin(), part.end(), ::isdigit))
        return false;
    return true;
  };
  if (open == std::string::npos) {
    if (const auto found = plain.find(base); found != plain.end())
      return found->second;
  } else if (base == "string" && numbers_only(1)) {
    return "VARCHAR(" + arguments + ")";
  } else if (base == "numeric" && numbers_only(2)) {
    std::string list;
    for (const auto& part : util::split_list(arguments))
      list += (list.empty() ? "" : ",") + part;
    return "NUMERIC(" + list + ")";
  } else if (base == "array") {
    throw Error(ErrorKind::Project, "type '" + generic + "': SQLite cannot store arrays");
  }
  throw Error(ErrorKind::Project,
              "unknown type '" + generic +
                  "' (integer, bigint, smallint, string(n), text, boolean, float, double, "
                  "numeric(p,s), date, time, datetime, timestamp, timestamp_tz, json, uuid, blob, "
                  "array(T))");
}

std::string postgres_type_for(const std::string& generic) {
  const std::string text = util::to_lower(std::string(util::trim(generic)));
  // array(T): T's type with []; anything else is SQLite's spelling, lower-cased, with
  // PostgreSQL's names where they differ.
  if (util::starts_with(text, "array(") && text.back() == ')')
    return postgres_type_for(text.substr(6, text.size() - 7)) + "[]";
  static const std::map<std::string, std::string> renamed = {
      {"float", "double precision"}, {"double", "double precision"},
      {"datetime", "timestamp"}, {"timestamp_tz", "timestamptz"},
      {"json", "jsonb"},         {"blob", "bytea"},
      {"string", "varchar"}};
  const auto open = text.find('(');
  const std::string base = std::string(util::trim(text.substr(0, open)));
  std::string type = util::to_lower(sqlite_type_for(generic)); // validates the generic type
  if (const auto found = renamed.find(base); found != renamed.end())
    type = found->second + (open == std::string::npos ? "" : type.substr(type.find('(')));
  return type;
}

std::optional<std::string> generic_for_sqlite(const std::string& declared) {
  static const std::map<std::string, std::string> simple = {{"INTEGER", "integer"},
                                                            {"BIGINT", "bigint"},
                                                            {"SMALLINT", "smallint"},
                                                            {"TEXT", "text"},
                                                            {"BOOLEAN", "boolean"},
                                                            {"FLOAT", "float"},
                                                            {"DOUBLE", "double"},
                                                            {"DATE", "date"},
                                                            {"TIME", "time"},
                                                            {"DATETIME", "datetime"},
                                                            {"JSON", "json"},
                                                            {"UUID", "uuid"},
                                                            {"TIMESTAMPTZ", "timestamp_tz"},
                                                            {"BLOB", "blob"},
                                                            {"VARCHAR", "string"},
                                                            {"TIMESTAMP", "timestamp"},
                                                            {"NUMERIC", "numeric"}};
  if (const auto found = simple.find(declared); found != simple.end())
    return found->second;
  for (const char* prefix : {"VARCHAR(", "NUMERIC("}) {
    if (util::starts_with(declared, prefix) && declared.back() == ')') {
      const std::string arguments = declared.substr(
          std::string(prefix).size(), declared.size() - std::string(prefix).size() - 1);
      const std::string generic =
          std::string(prefix[0] == 'V' ? "string(" : "numeric(") + arguments + ")";
      try {
        if (sqlite_type_for(generic) == declared)
          return generic;
      } catch (const Error&) {
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> generic_for_postgres(const std::string& declared) {
  static const std::map<std::string, std::string> simple = {
      {"integer", "integer"},
      {"bigint", "bigint"},
      {"smallint", "smallint"},
      {"text", "text"},
      {"boolean", "boolean"},
      {"double precision", "double"},
      {"date", "date"},
      {"time without time zone", "time"},
      {"timestamp without time zone", "timestamp"},
      {"timestamp with time zone", "timestamp_tz"},
      {"jsonb", "json"},
      {"uuid", "uuid"},
      {"bytea", "blob"},
      {"character varying", "string"},
      {"numeric", "numeric"}};
  if (const auto found = simple.find(declared); found != simple.end())
    return found->second;
  for (const auto& [prefix, generic] :
       {std::pair<std::string, std::string>{"character varying(", "string("},
        std::pair<std::string, std::string>{"numeric(", "numeric("}})
    if (util::starts_with(declared, prefix) && declared.back() == ')')
      return generic + declared.substr(prefix.size());
  return std::nullopt;
}

std::string generic_by_affinity(const std::string& declared) {
  switch (type_affinity(declared)) {
  case Affinity::Integer:
    return "integer";
  case Affinity::Text:
    return "text";
  case Affinity::Blob:
    return "blob";
  case Affinity::Real:
    return "double";
  case Affinity::Numeric:
    break;
  }
  return "numeric";
}

} // namespace dbtool::schema
