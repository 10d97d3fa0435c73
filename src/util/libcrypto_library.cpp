#include "dbtool/util/libcrypto_library.h"

#include "dbtool/error.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace dbtool::util {

namespace {

constexpr const char* soname = "libcrypto.so.3";

// Loads the library and every function once; the text of what failed, if anything.
std::string load(LibcryptoLibrary& library) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return std::string("revision checksums need OpenSSL's libcrypto (Debian: libssl3): ") +
           (reason != nullptr ? reason : "libcrypto.so.3 cannot be loaded");
  }
#define DBTOOL_LIBCRYPTO_LOAD(name)                                                                \
  library.name = reinterpret_cast<decltype(library.name)>(dlsym(handle, #name));                   \
  if (library.name == nullptr)                                                                     \
    return std::string(soname) + " lacks " #name;
  DBTOOL_LIBCRYPTO_FUNCTIONS(DBTOOL_LIBCRYPTO_LOAD)
#undef DBTOOL_LIBCRYPTO_LOAD
  return {};
}

} // namespace

const LibcryptoLibrary& libcrypto() {
  static LibcryptoLibrary library;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] { failure = load(library); });
  if (!failure.empty())
    throw Error(ErrorKind::Database, failure);
  return library;
}

} // namespace dbtool::util
