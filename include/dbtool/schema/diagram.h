#pragma once

#include "dbtool/schema/schema.h"

#include <string>

namespace dbtool::schema {

// Mermaid erDiagram text of the tables, their columns and foreign keys.
std::string render_mermaid(const Schema& schema);
// Graphviz dot text of the same.
std::string render_dot(const Schema& schema);

} // namespace dbtool::schema
