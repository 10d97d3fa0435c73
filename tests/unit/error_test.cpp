#include "dbtool/error.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace {

template <typename Exception> dbtool::Error classified(const Exception& exception) {
  return dbtool::error_from_exception(std::make_exception_ptr(exception));
}

} // namespace

TEST_CASE("what reaches main(): an Error as it is, anything else an internal error (70)") {
  const auto project = classified(dbtool::Error(dbtool::ErrorKind::Project, "bad", "f.toml", 3));
  CHECK(project.kind() == dbtool::ErrorKind::Project);
  CHECK(project.message() == "bad");
  CHECK(project.file() == "f.toml");
  CHECK(project.line() == 3);

  const auto memory = classified(std::bad_alloc());
  CHECK(memory.kind() == dbtool::ErrorKind::Internal);
  CHECK(memory.exit_code() == 70);
  CHECK(memory.message() == "out of memory");

  // Not a database error, whatever it is: a bug, said as one, with the exception's text.
  const auto range = classified(std::out_of_range("vector::_M_range_check"));
  CHECK(range.kind() == dbtool::ErrorKind::Internal);
  CHECK(range.message() == "internal error: vector::_M_range_check; please report it");
  const auto filesystem = classified(std::filesystem::filesystem_error(
      "cannot rename", "/a", "/b", std::make_error_code(std::errc::permission_denied)));
  CHECK(filesystem.kind() == dbtool::ErrorKind::Internal);
  CHECK(filesystem.message().find("cannot rename") != std::string::npos);
  CHECK(filesystem.message().find("/a") != std::string::npos);
  try {
    (void)nlohmann::json::parse("{").at("x");
  } catch (...) {
    const auto json = dbtool::error_from_exception(std::current_exception());
    CHECK(json.kind() == dbtool::ErrorKind::Internal);
    CHECK(json.message().find("internal error: [json.exception.parse_error") == 0);
  }
  const auto unknown = dbtool::error_from_exception(std::make_exception_ptr(42));
  CHECK(unknown.kind() == dbtool::ErrorKind::Internal);
  CHECK(unknown.message() == "internal error: an exception of unknown type; please report it");
  CHECK(std::string(dbtool::error_kind_name(dbtool::ErrorKind::Internal)) == "internal");
}
