#include "dbtool/util/shared_library.h"

#include <dlfcn.h>

namespace dbtool::util {

void* open_shared_library(const char* soname, const std::string& what, const char* package,
                          std::string& failure) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    failure = what + " (Debian: " + package + "): " +
              (reason != nullptr ? std::string(reason) : std::string(soname) + " cannot be loaded");
  }
  return handle;
}

void* find_symbol(void* handle, const char* soname, const char* name, std::string& failure) {
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr)
    failure = std::string(soname) + " lacks " + name;
  return symbol;
}

} // namespace dbtool::util
