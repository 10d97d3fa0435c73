#pragma once

#include "dbtool/revision/revision_graph.h"

#include <string_view>

namespace dbtool::revision {

// The revisions `history -r RANGE` shows, newest first. RANGE is "[FROM]:[TO]" (both
// ends included; FROM empty means base, TO empty means heads) or empty for all.
// "current" stands for the database's heads, given as CURRENT.
IndexList select_history(const RevisionGraph& graph, std::string_view range,
                         const IndexList& current);

} // namespace dbtool::revision
