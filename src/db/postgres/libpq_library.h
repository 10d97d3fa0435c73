#pragma once

#include <libpq-fe.h>

namespace dbtool::db {

// The libpq functions dbtool calls, every one named here once.
#define DBTOOL_LIBPQ_FUNCTIONS(X)                                                                  \
  X(PQclear)                                                                                       \
  X(PQcmdTuples)                                                                                   \
  X(PQconnectdb)                                                                                   \
  X(PQerrorMessage)                                                                                \
  X(PQexec)                                                                                        \
  X(PQexecParams)                                                                                  \
  X(PQfinish)                                                                                      \
  X(PQfreemem)                                                                                     \
  X(PQftype)                                                                                       \
  X(PQgetisnull)                                                                                   \
  X(PQgetlength)                                                                                   \
  X(PQgetvalue)                                                                                    \
  X(PQnfields)                                                                                     \
  X(PQntuples)                                                                                     \
  X(PQresultErrorField)                                                                            \
  X(PQresultErrorMessage)                                                                          \
  X(PQresultStatus)                                                                                \
  X(PQsetNoticeProcessor)                                                                          \
  X(PQstatus)                                                                                      \
  X(PQtransactionStatus)                                                                           \
  X(PQunescapeBytea)

// libpq's functions, as pointers: with DBTOOL_LAZY_LIBPQ (CMakeLists.txt says why) they
// come from dlopen on first use, otherwise they are the linked functions themselves. The
// functions keep libpq's own names and prototypes.
struct LibpqLibrary {
#define DBTOOL_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  DBTOOL_LIBPQ_FUNCTIONS(DBTOOL_LIBPQ_MEMBER)
#undef DBTOOL_LIBPQ_MEMBER
};

// The library; Error(Database) naming libpq.so.5 when it cannot be loaded.
const LibpqLibrary& libpq();

} // namespace dbtool::db
