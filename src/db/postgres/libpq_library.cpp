#include "libpq_library.h"

#include "dbtool/error.h"

#include <mutex>
#include <string>

#ifdef DBTOOL_LAZY_LIBPQ
#include <dlfcn.h>
#endif

namespace dbtool::db {

namespace {

#ifdef DBTOOL_LAZY_LIBPQ
constexpr const char* soname = "libpq.so.5";

// Fills LIBRARY from libpq.so.5; returns what failed, or nothing.
std::string load(LibpqLibrary& library) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return std::string("PostgreSQL needs libpq (Debian: libpq5): ") +
           (reason != nullptr ? reason : "libpq.so.5 cannot be loaded");
  }
#define DBTOOL_LIBPQ_LOAD(name)                                                                    \
  library.name = reinterpret_cast<decltype(library.name)>(dlsym(handle, #name));                   \
  if (library.name == nullptr)                                                                     \
    return std::string(soname) + " lacks " #name;
  DBTOOL_LIBPQ_FUNCTIONS(DBTOOL_LIBPQ_LOAD)
#undef DBTOOL_LIBPQ_LOAD
  return {};
}
#else
std::string load(LibpqLibrary& library) {
#define DBTOOL_LIBPQ_LINK(name) library.name = &::name;
  DBTOOL_LIBPQ_FUNCTIONS(DBTOOL_LIBPQ_LINK)
#undef DBTOOL_LIBPQ_LINK
  return {};
}
#endif

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
