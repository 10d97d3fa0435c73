#pragma once

#include <filesystem>
#include <string>

namespace dbtool::config {

enum class Backend { Sqlite, Postgres };

// A parsed database URL (ARCHITECTURE.md, "The contract"). Relative SQLite paths stay relative
// until resolve() anchors them at the project folder.
class DatabaseUrl {
 public:
  // Parses TEXT; throws Error(Project) naming the problem for anything malformed.
  static DatabaseUrl parse(const std::string& text);

  Backend backend() const { return m_backend; }
  bool in_memory() const { return m_in_memory; }
  // SQLite: the file path (possibly relative before resolve()).
  const std::filesystem::path& sqlite_path() const { return m_path; }
  // The URL as given, for connecting.
  const std::string& text() const { return m_text; }
  // The URL with any password replaced by ***, safe to print.
  std::string masked() const;
  // Returns a copy whose relative SQLite path is made absolute against PROJECT_DIR.
  DatabaseUrl resolved(const std::filesystem::path& project_dir) const;

 private:
  Backend m_backend = Backend::Sqlite;
  bool m_in_memory = false;
  std::filesystem::path m_path;
  std::string m_text;
};

// Replaces the password of any postgresql:// URL inside TEXT by ***.
std::string mask_password(const std::string& text);

} // namespace dbtool::config
