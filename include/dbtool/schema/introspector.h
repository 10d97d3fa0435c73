#pragma once

#include "dbtool/db/connection.h"
#include "dbtool/schema/schema.h"

#include <set>
#include <string>

namespace dbtool::schema {

// The live schema of whatever database CONNECTION is: introspect_sqlite or
// introspect_postgres. Tables named in EXCLUDE (dbtool's own) are left out.
Schema introspect(db::Connection& connection, const std::set<std::string>& exclude = {});

} // namespace dbtool::schema
