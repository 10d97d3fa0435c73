#include "libpq_library.h"

#include "dbtool/util/shared_library.h"

namespace dbtool::db {

namespace {

constexpr const char* soname = "libpq.so.5";

std::string load(LibpqLibrary& library) {
  std::string failure;
  void* handle = util::open_shared_library(soname, "PostgreSQL needs libpq", "libpq5", failure);
  if (handle == nullptr)
    return failure;
#define DBTOOL_LIBPQ_LOAD(name)                                                                    \
  library.name =                                                                                   \
      reinterpret_cast<decltype(library.name)>(util::find_symbol(handle, soname, #name, failure)); \
  if (library.name == nullptr)                                                                     \
    return failure;
  DBTOOL_LIBPQ_FUNCTIONS(DBTOOL_LIBPQ_LOAD)
#undef DBTOOL_LIBPQ_LOAD
  return {};
}

} // namespace

const LibpqLibrary& libpq() {
  return util::load_shared_library_once(&load);
}

} // namespace dbtool::db
