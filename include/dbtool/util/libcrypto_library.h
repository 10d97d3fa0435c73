#pragma once

#include <openssl/evp.h>

namespace dbtool::util {

// The libcrypto (OpenSSL) functions dbtool calls, every one named here once.
#define DBTOOL_LIBCRYPTO_FUNCTIONS(X)                                                              \
  X(EVP_DecodeBlock)                                                                               \
  X(EVP_Digest)                                                                                    \
  X(EVP_EncodeBlock)                                                                               \
  X(EVP_sha256)

// OpenSSL's libcrypto, loaded on first use with dlopen, as libpq is: linked in, its
// start-up (21,000 relocations, 170 page faults) cost 4 ms in every process on the
// benchmark machine, half of `dbtool --version`, though only revision checksums and
// base64 in dumps need it. The functions keep OpenSSL's own names and prototypes.
struct LibcryptoLibrary {
#define DBTOOL_LIBCRYPTO_MEMBER(name) decltype(&::name) name = nullptr;
  DBTOOL_LIBCRYPTO_FUNCTIONS(DBTOOL_LIBCRYPTO_MEMBER)
#undef DBTOOL_LIBCRYPTO_MEMBER
};

// The loaded library; Error(Database) naming libcrypto.so.3 when it cannot be loaded.
const LibcryptoLibrary& libcrypto();

} // namespace dbtool::util
