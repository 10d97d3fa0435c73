#pragma once

#include "dbtool/schema/schema.h"

#include <string>

namespace dbtool::schema {

// SQLite DDL for a model: CREATE TABLE (parents before children where the foreign
// keys allow), CREATE INDEX, CREATE VIEW and CREATE TRIGGER, each ending with ";\n".
// Executing it in an empty database and introspecting gives the model back.
std::string render_sqlite_schema(const Schema& schema);
std::string render_create_table(const Table& table);
// One column's definition; PARENTHESIZED_DEFAULT false writes the default bare, as
// ALTER TABLE ADD COLUMN needs it (it then must be a literal).
std::string render_column(const Column& column, bool parenthesized_default = true);
std::string render_create_index(const Table& table, const Index& index);
std::string render_create_view(const View& view);
// Quotes NAME only when it needs it (keywords, spaces, quotes, leading digits...).
std::string quote_name(const std::string& name);

} // namespace dbtool::schema
