#include "dbtool/schema/diagram.h"

#include <cctype>

namespace dbtool::schema {

namespace {

// Mermaid entity and attribute names allow letters, digits, _ and -: anything else
// becomes _, and a quoted label keeps the real name visible.
std::string mermaid_name(const std::string& name) {
  std::string out;
  for (unsigned char c : name)
    out += std::isalnum(c) || c == '_' || c == '-' ? static_cast<char>(c) : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
    out = "_" + out;
  return out;
}

std::string mermaid_type(const std::string& type) {
  std::string out;
  for (unsigned char c : type)
    out += std::isalnum(c) || c == '_' ? static_cast<char>(c) : (c == '(' || c == ',' ? '_' : '\0');
  std::string clean;
  for (char c : out)
    if (c != '\0')
      clean += c;
  return clean.empty() ? "ANY" : clean;
}

std::string dot_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '{' || c == '}' || c == '<' || c == '>' || c == '|')
      out += '\\';
    out += c;
  }
  return out;
}

bool in_key(const Table& table, const std::string& column) {
  if (!table.primary_key)
    return false;
  for (const auto& key : table.primary_key->columns)
    if (key == column)
      return true;
  return false;
}

bool in_foreign_key(const Table& table, const std::string& column) {
  for (const auto& key : table.foreign_keys)
    for (const auto& name : key.columns)
      if (name == column)
        return true;
  return false;
}

} // namespace

std::string render_mermaid(const Schema& schema) {
  std::string out = "erDiagram\n";
  for (const auto& [name, table] : schema.tables) {
    out += "  " + mermaid_name(name) + "[\"" + dot_escape(name) + "\"] {\n";
    for (const auto& column : table.columns) {
      out += "    " + mermaid_type(column.type) + " " + mermaid_name(column.name);
      if (in_key(table, column.name))
        out += in_foreign_key(table, column.name) ? " PK, FK" : " PK";
      else if (in_foreign_key(table, column.name))
        out += " FK";
      out += "\n";
    }
    out += "  }\n";
  }
  for (const auto& [name, table] : schema.tables)
    for (const auto& key : table.foreign_keys) {
      bool optional = false;
      for (const auto& column : key.columns)
        if (const Column* found = table.find_column(column))
          optional = optional || !found->not_null;
      out += "  " + mermaid_name(key.ref_table) + (optional ? " |o--o{ " : " ||--o{ ") +
             mermaid_name(name) + " : \"" + dot_escape(key.columns.empty() ? "" : key.columns[0]) +
             "\"\n";
    }
  return out;
}

std::string render_dot(const Schema& schema) {
  std::string out =
      "digraph schema {\n  rankdir=LR;\n  node [shape=record, fontname=\"Helvetica\"];\n";
  for (const auto& [name, table] : schema.tables) {
    out += "  \"" + dot_escape(name) + "\" [label=\"{" + dot_escape(name) + "|";
    bool first = true;
    for (const auto& column : table.columns) {
      out += first ? "" : "\\l";
      first = false;
      out += (in_key(table, column.name) ? "* " : "") + dot_escape(column.name) + " : " +
             dot_escape(column.type.empty() ? "ANY" : column.type);
    }
    out += "\\l}\"];\n";
  }
  for (const auto& [name, table] : schema.tables)
    for (const auto& key : table.foreign_keys) {
      std::string label;
      for (const auto& column : key.columns)
        label += (label.empty() ? "" : ", ") + column;
      out += "  \"" + dot_escape(name) + "\" -> \"" + dot_escape(key.ref_table) + "\" [label=\"" +
             dot_escape(label) + "\"];\n";
    }
  return out + "}\n";
}

} // namespace dbtool::schema
