#include "libpq_library.h"

#include "dbtool/error.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace dbtool::db {

namespace {

// Loads the library and every function once; the text of what failed, if anything.
std::string load(LibpqLibrary& library) {
  void* handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return std::string("PostgreSQL needs libpq (Debian: libpq5): ") +
           (reason != nullptr ? reason : "libpq.so.5 cannot be loaded");
  }
#define DBTOOL_LIBPQ_LOAD(name)                                                                    \
  library.name = reinterpret_cast<decltype(library.name)>(dlsym(handle, #name));                   \
  if (library.name == nullptr)                                                                     \
    return "libpq.so.5 lacks " #name;
  DBTOOL_LIBPQ_FUNCTIONS(DBTOOL_LIBPQ_LOAD)
#undef DBTOOL_LIBPQ_LOAD
  return {};
}

} // namespace

const LibpqLibrary& libpq() {
  static LibpqLibrary library;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] { failure = load(library); });
  if (!failure.empty())
    throw Error(ErrorKind::Database, failure);
  return library;
}

} // namespace dbtool::db
