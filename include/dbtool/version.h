#pragma once

#include <string>

namespace dbtool {

// "dbtool 0.1.0 (git 1a2b3c4d5e6f)": the version and the revision it was built from.
std::string version_string();

} // namespace dbtool
