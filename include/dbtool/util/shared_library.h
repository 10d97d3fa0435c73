#pragma once

#include "dbtool/error.h"

#include <mutex>
#include <string>

namespace dbtool::util {

// A library dbtool loads with dlopen on first use (libpq, libcrypto), so that a process
// that does not need it does not pay for loading it at every start. Each is a struct of
// function pointers named after the functions (an X-macro list in its header) and a
// LOAD function that fills it: LOAD calls open_shared_library, then find_symbol per
// function, and returns what failed, or nothing.

// dlopen(SONAME); on failure, nullptr and FAILURE says "WHAT (Debian: PACKAGE): reason".
void* open_shared_library(const char* soname, const std::string& what, const char* package,
                          std::string& failure);
// dlsym(HANDLE, NAME); on failure, nullptr and FAILURE says "SONAME lacks NAME".
void* find_symbol(void* handle, const char* soname, const char* name, std::string& failure);

// LIBRARY loaded once by LOAD (thread-safe), or Error(Database) with LOAD's failure, at
// this call and every later one.
template <typename Library> const Library& load_shared_library_once(std::string (*load)(Library&)) {
  static Library library;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [load] { failure = load(library); });
  if (!failure.empty())
    throw Error(ErrorKind::Database, failure);
  return library;
}

} // namespace dbtool::util
