#include "dbtool/config/database_url.h"

#include "dbtool/error.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <cctype>

namespace dbtool::config {

namespace {

Error bad_url(const std::string& text, const std::string& why) {
  return Error(ErrorKind::Project, "invalid database URL '" + mask_password(text) + "': " + why);
}

} // namespace

DatabaseUrl DatabaseUrl::parse(const std::string& text) {
  DatabaseUrl url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos)
    throw bad_url(text, "expected sqlite:///path or postgresql://user@host/db");
  std::string scheme = text.substr(0, scheme_end);
  const std::string rest = text.substr(scheme_end + 3);
  // SQLAlchemy's dialect+driver spelling (postgresql+psycopg2://, sqlite+pysqlite://):
  // the driver is Python's business; the URL that remains is the same database.
  if (const auto plus = scheme.find('+'); plus != std::string::npos) {
    const std::string driver = scheme.substr(plus + 1);
    const bool word = !driver.empty() && std::all_of(driver.begin(), driver.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
    if (!word)
      throw bad_url(text, "expected a driver name after '+' (as in postgresql+psycopg2://)");
    scheme.resize(plus);
  }
  // postgres:// stays as given (libpq reads both); only the driver part is dropped.
  url.m_text = scheme + "://" + rest;
  if (scheme == "sqlite") {
    url.m_backend = Backend::Sqlite;
    // (SQLAlchemy reads a bare sqlite:// as an in-memory database; here it stays an
    // error: an empty path is likelier a mistake than a wish to lose the data.)
    if (rest == ":memory:") {
      url.m_in_memory = true;
      return url;
    }
    // sqlite:///relative/x.db -> rest = "/relative/x.db"; sqlite:////abs -> "//abs".
    if (rest.empty() || rest[0] != '/')
      throw bad_url(text, "a SQLite URL is sqlite:///relative.db, sqlite:////absolute.db or "
                          "sqlite://:memory:");
    std::string path = rest.substr(1);
    const auto query = path.find('?');
    if (query != std::string::npos)
      throw bad_url(text, "SQLite URLs take no query options; set them under [sqlite]");
    if (path.empty() || path.back() == '/')
      throw bad_url(text, "no database file named");
    if (path.find('\0') != std::string::npos)
      throw bad_url(text, "NUL byte in path");
    url.m_path = path;
    return url;
  }
  if (scheme == "postgresql" || scheme == "postgres") {
    url.m_backend = Backend::Postgres;
    const auto host_start = rest.rfind('@');
    const std::string host_part =
        host_start == std::string::npos ? rest : rest.substr(host_start + 1);
    if (host_part.empty() || host_part[0] == '/' || host_part[0] == '?')
      throw bad_url(text, "no host named");
    return url;
  }
  throw bad_url(text, "unknown scheme '" + scheme + "' (expected sqlite or postgresql)");
}

std::string DatabaseUrl::masked() const {
  // The whole text is the URL: user:password@host with the password running to the
  // last '@', whatever it holds (mask_password, for free text, must guess where a URL
  // ends, and a space in the user name ended it before the password).
  std::string out = m_text;
  const auto scheme = out.find("://");
  const auto at = out.rfind('@');
  if (m_backend == Backend::Postgres && scheme != std::string::npos && at != std::string::npos &&
      at > scheme) {
    const auto colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at)
      out.replace(colon + 1, at - colon - 1, "***");
  }
  return mask_password(out);
}

DatabaseUrl DatabaseUrl::resolved(const std::filesystem::path& project_dir) const {
  DatabaseUrl copy = *this;
  if (m_backend == Backend::Sqlite && !m_in_memory && m_path.is_relative())
    copy.m_path = (project_dir / m_path).lexically_normal();
  return copy;
}

std::string mask_password(const std::string& text) {
  std::string out = text;
  // user:password@host: a password may hold unencoded '/', '?' or '@', so the user
  // part runs to the last '@' before the URL ends (white space or a quote).
  size_t search_from = 0;
  while (true) {
    const auto scheme = out.find("://", search_from);
    if (scheme == std::string::npos)
      break;
    const auto authority = scheme + 3;
    auto url_end = out.find_first_of(" \t\r\n'\"", authority);
    if (url_end == std::string::npos)
      url_end = out.size();
    const auto at = out.rfind('@', url_end - 1);
    if (at != std::string::npos && at > authority) {
      const auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
        url_end = colon + 4 + (url_end - at);
      }
    }
    search_from = url_end;
  }
  // libpq's password=... option, in a URL query or a connection string.
  size_t pos = 0;
  while ((pos = out.find("password=", pos)) != std::string::npos) {
    const auto value = pos + 9;
    auto end = out.find_first_of("& \t\r\n'\"", value);
    if (end == std::string::npos)
      end = out.size();
    out.replace(value, end - value, "***");
    pos = value + 3;
  }
  return out;
}

} // namespace dbtool::config
