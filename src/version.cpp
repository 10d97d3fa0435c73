#include "dbtool/version.h"

#include "git_revision.h"

namespace dbtool {

std::string version_string() {
  std::string text = "dbtool " DBTOOL_VERSION;
  const std::string revision = DBTOOL_GIT_REVISION;
  if (!revision.empty())
    text += " (git " + revision + ")";
  return text;
}

} // namespace dbtool
