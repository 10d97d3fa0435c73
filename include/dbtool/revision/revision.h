#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dbtool::revision {

// One revision file (README.md "Revision files"), parsed. Script sections keep their text
// exactly as written; *_line say where each section starts in the file, so that a
// failing statement can be reported at its own line.
struct Revision {
  std::string id;
  std::vector<std::string> down_revisions; // several for a merge, none for a base
  std::string message;
  std::string created;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  bool transactional = true;
  // "-- foreign_keys: off": run with foreign key enforcement off (a table rebuild),
  // checked by PRAGMA foreign_key_check before commit.
  bool foreign_keys_off = false;
  // Set by `dbtool squash` on the revision that replaces a run: the ids it replaced
  // (for a clear message to a database left at one of them), and the checksums the
  // revision had before (databases that applied it then still validate).
  std::vector<std::string> squashes;
  std::vector<std::string> squashed_checksums;

  std::string upgrade_sql;
  int upgrade_line = 0; // first line of the upgrade section
  bool has_downgrade = false;
  std::string downgrade_sql;
  int downgrade_line = 0;

  std::filesystem::path path; // empty for a revision not read from a file

  bool is_merge() const { return down_revisions.size() > 1; }
  bool is_base() const { return down_revisions.empty(); }
};

// Parses the text of a revision file. FILE names it in errors, which are
// Error(Project) with the offending line.
Revision parse_revision(const std::string& text, const std::string& file);

// Reads and parses the file at PATH.
Revision read_revision_file(const std::filesystem::path& path);

// The text of a revision file for REVISION, header and both sections.
std::string render_revision(const Revision& revision);

// The file name a new revision gets: <id>_<slug of message>.sql.
std::string revision_file_name(const std::string& id, const std::string& message);

// Whether ID can name a revision or branch label: letters, digits and underscores,
// at most 64 characters, and none of the target grammar's words (head, heads, base,
// current), so it never collides with the grammar (@ + - : ,).
bool is_valid_revision_id(const std::string& id);
// The rule above, in words, for error messages.
inline constexpr const char* revision_id_rule =
    "letters, digits and _ only, at most 64, not head, heads, base or current";

// SHA-256 (hex) of the upgrade section with CRLF folded to LF.
std::string revision_checksum(const Revision& revision);

// A fresh 12-hex-digit revision id.
std::string generate_revision_id();

} // namespace dbtool::revision
