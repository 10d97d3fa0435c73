#pragma once

#include "dbtool/db/connection.h"
#include "dbtool/schema/schema.h"

namespace dbtool::schema {

// PostgreSQL prints some expressions in a form that does not parse back to the same
// tree: a `varchar IN ('a', 'b')` is kept as `(status)::text = ANY ((ARRAY['a'::character
// varying, ...])::text[])`, and that text, run again, becomes `ARRAY['a'::character
// varying::text, ...]`. The declared models are read after one pass through the
// server and a database built by dbtool's migration after two, so their texts differ
// while they mean the same. This asks the server: for every object LIVE and DECLARED
// both have (same table, same name) whose expressions read differently (checks,
// exclusion constraints, defaults and generated expressions of columns of the same
// type, indexes, views, triggers, domains), both texts are run again, side by side,
// in CONNECTION (inside the transaction that holds the declared models in its scratch
// schema, under savepoints) until they agree or stop changing; where they agree,
// DECLARED takes the live text, so the differ finds nothing to do. Texts the server
// rejects there (a column the models no longer have) stay as they are: they differ.
void reconcile_postgres_expressions(db::Connection& connection, const Schema& live,
                                    Schema& declared);

} // namespace dbtool::schema
