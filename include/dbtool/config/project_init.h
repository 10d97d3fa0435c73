#pragma once

#include <filesystem>
#include <vector>

namespace dbtool::config {

// Creates a project in DIR (made when missing): dbtool.toml, migrations/ and schema/.
// Refuses with Error(Project), creating nothing, when any of them exists already.
// Returns the paths it created.
std::vector<std::filesystem::path> init_project(const std::filesystem::path& dir);

} // namespace dbtool::config
