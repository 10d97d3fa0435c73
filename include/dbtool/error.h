#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace dbtool {

// What went wrong, as far as the caller's exit code is concerned (ARCHITECTURE.md,
// "The contract").
enum class ErrorKind {
  Mismatch = 1, // check/validate found a difference
  Usage = 2,    // unknown command, bad flag or argument
  Project = 3,  // bad config, malformed revision file, graph error
  Database = 4, // cannot open/connect, SQL failure, lock timeout, corrupt file
  // A failure dbtool did not foresee (a bug), or out of memory: what reaches main()
  // other than an Error. sysexits.h's EX_SOFTWARE.
  Internal = 70,
};

// The one exception type of dbtool. Layers that know more context (the file, the
// line, the revision) catch it and add that context before rethrowing; only main()
// prints it.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string file = {}, int line = 0);

  ErrorKind kind() const { return m_kind; }
  // The bare message, without file and line.
  const std::string& message() const { return m_message; }
  const std::string& file() const { return m_file; }
  int line() const { return m_line; }
  int exit_code() const { return static_cast<int>(m_kind); }

  // Returns a copy located at FILE (and LINE when the error has none yet).
  Error at(const std::string& file, int line = 0) const;
  // Returns a copy whose message is PREFIX followed by this message.
  Error prefixed(const std::string& prefix) const;

 private:
  ErrorKind m_kind;
  std::string m_message;
  std::string m_file;
  int m_line;
};

// The name of a kind as it appears in JSON error output ("usage", "project", ...).
const char* error_kind_name(ErrorKind kind);

// What EXCEPTION means to the user, as the Error main() prints: an Error as it is;
// std::bad_alloc as "out of memory"; anything else, since every failure dbtool foresees
// is converted into an Error where it arises, as an internal error (a bug) that keeps
// the exception's own text. Both of the latter are ErrorKind::Internal.
Error error_from_exception(const std::exception_ptr& exception);

} // namespace dbtool
