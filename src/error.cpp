#include "dbtool/error.h"

#include <new>
#include <utility>

namespace dbtool {

namespace {

std::string located(const std::string& file, int line, const std::string& message) {
  if (file.empty())
    return message;
  if (line > 0)
    return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}

} // namespace

Error::Error(ErrorKind kind, const std::string& message, std::string file, int line)
    : std::runtime_error(located(file, line, message)), m_kind(kind), m_message(message),
      m_file(std::move(file)), m_line(line) {}

Error Error::at(const std::string& file, int line) const {
  return Error(m_kind, m_message, file, m_line > 0 ? m_line : line);
}

Error Error::prefixed(const std::string& prefix) const {
  return Error(m_kind, prefix + m_message, m_file, m_line);
}

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::Mismatch:
    return "mismatch";
  case ErrorKind::Usage:
    return "usage";
  case ErrorKind::Project:
    return "project";
  case ErrorKind::Database:
    return "database";
  case ErrorKind::Internal:
    return "internal";
  }
  return "unknown";
}

Error error_from_exception(const std::exception_ptr& exception) {
  try {
    std::rethrow_exception(exception);
  } catch (const Error& error) {
    return error;
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::Internal, "out of memory");
  } catch (const std::exception& error) {
    return Error(ErrorKind::Internal,
                 std::string("internal error: ") + error.what() + "; please report it");
  } catch (...) {
    return Error(ErrorKind::Internal,
                 "internal error: an exception of unknown type; please report it");
  }
}

} // namespace dbtool
