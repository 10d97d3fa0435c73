#include "dbtool/util/libcrypto_library.h"

#include "dbtool/util/shared_library.h"

namespace dbtool::util {

namespace {

constexpr const char* soname = "libcrypto.so.3";

std::string load(LibcryptoLibrary& library) {
  std::string failure;
  void* handle = open_shared_library(soname, "revision checksums need OpenSSL's libcrypto",
                                     "libssl3", failure);
  if (handle == nullptr)
    return failure;
#define DBTOOL_LIBCRYPTO_LOAD(name)                                                                \
  library.name =                                                                                   \
      reinterpret_cast<decltype(library.name)>(find_symbol(handle, soname, #name, failure));       \
  if (library.name == nullptr)                                                                     \
    return failure;
  DBTOOL_LIBCRYPTO_FUNCTIONS(DBTOOL_LIBCRYPTO_LOAD)
#undef DBTOOL_LIBCRYPTO_LOAD
  return {};
}

} // namespace

const LibcryptoLibrary& libcrypto() {
  return load_shared_library_once(&load);
}

} // namespace dbtool::util
