#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"
#include "dbtool/db/postgres/postgres_connection.h"
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"

#include <system_error>

namespace dbtool::db {

std::unique_ptr<Connection> connect(const config::Settings& settings, StatementObserver observer) {
  const auto& url = settings.url;
  if (url.backend() == config::Backend::Postgres)
    return std::make_unique<PostgresConnection>(url, settings.postgres, std::move(observer));
  if (url.in_memory())
    return std::make_unique<SqliteConnection>(settings.sqlite, std::move(observer));
  const auto& path = url.sqlite_path();
  // The data folder of a project is made on first connect; folders elsewhere are the
  // user's to make, so a typo in an absolute path is not silently created.
  const auto relative = path.lexically_relative(settings.project_dir);
  if (!relative.empty() && *relative.begin() != "..") {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  return std::make_unique<SqliteConnection>(path, settings.sqlite, std::move(observer));
}

} // namespace dbtool::db
