#include "dbtool/revision/revision.h"

#include "dbtool/error.h"
#include "dbtool/util/file_text.h"
#include "dbtool/util/strings.h"
#include <openssl/evp.h>

#include <sys/random.h>

#include <algorithm>
#include <array>

namespace dbtool::revision {

namespace {

enum class Section { Header, Upgrade, Downgrade };

// Header keys are written in lower case with underscores; capitals and hyphens are
// read too, so that a misspelt key is caught (see known_key_spelling) rather than
// taken for a free comment.
bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

bool is_plain_key(std::string_view key) {
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

constexpr std::array<std::string_view, 10> known_keys = {
    "revision",           "down_revision", "message",       "created",
    "branch_labels",      "depends_on",    "transactional", "squashes",
    "squashed_checksums", "foreign_keys"};

// The known key that KEY spells with other capitals or with hyphens for underscores
// ("Down-Revision" -> "down_revision"); empty when KEY is no such spelling.
std::string_view known_key_spelling(std::string_view key) {
  std::string folded(key);
  for (auto& c : folded)
    c = c == '-' ? '_' : util::ascii_lower(c);
  for (std::string_view known : known_keys)
    if (folded == known)
      return known;
  return {};
}

// Parses a header line "-- key: value"; returns false when LINE is not of that shape.
bool header_field(std::string_view line, std::string_view& key, std::string_view& value) {
  if (!util::starts_with(line, "--"))
    return false;
  std::string_view rest = util::trim(line.substr(2));
  size_t i = 0;
  while (i < rest.size() && is_key_char(rest[i]))
    ++i;
  if (i == 0 || i >= rest.size() || rest[i] != ':')
    return false;
  key = rest.substr(0, i);
  value = util::trim(rest.substr(i + 1));
  return true;
}

} // namespace

bool is_valid_revision_id(const std::string& id) {
  if (id.empty() || id.size() > 64)
    return false;
  if (id == "head" || id == "heads" || id == "base" || id == "current")
    return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

Revision parse_revision(const std::string& text, const std::string& file) {
  Revision revision;
  Section section = Section::Header;
  bool seen_revision = false;
  bool seen_upgrade = false;
  std::vector<std::string> seen_keys;
  // Section texts are views into TEXT: byte offsets of where each one starts and ends.
  size_t upgrade_begin = 0, upgrade_end = 0, downgrade_begin = 0;
  size_t pos = 0;
  int line_number = 0;
  auto error = [&](const std::string& message) {
    return Error(ErrorKind::Project, message, file, line_number);
  };
  auto check_ids = [&](const std::vector<std::string>& ids, const char* what) {
    for (const auto& id : ids)
      if (!is_valid_revision_id(id))
        throw error(std::string("invalid revision id '") + id + "' in " + what);
  };
  while (pos < text.size()) {
    ++line_number;
    const size_t line_end = text.find('\n', pos);
    const size_t next = line_end == std::string::npos ? text.size() : line_end + 1;
    const std::string_view raw(text.data() + pos,
                               (line_end == std::string::npos ? text.size() : line_end) - pos);
    const std::string_view line = util::trim(raw);
    if (line == "-- +upgrade") {
      if (seen_upgrade)
        throw error("second '-- +upgrade' marker");
      if (section == Section::Downgrade)
        throw error("'-- +upgrade' after '-- +downgrade'");
      seen_upgrade = true;
      section = Section::Upgrade;
      upgrade_begin = next;
      revision.upgrade_line = line_number + 1;
    } else if (line == "-- +downgrade") {
      if (!seen_upgrade)
        throw error("'-- +downgrade' before '-- +upgrade'");
      if (revision.has_downgrade)
        throw error("second '-- +downgrade' marker");
      section = Section::Downgrade;
      upgrade_end = pos;
      revision.has_downgrade = true;
      downgrade_begin = next;
      revision.downgrade_line = line_number + 1;
    } else if (section == Section::Header && !line.empty()) {
      std::string_view key, value;
      if (!header_field(line, key, value)) {
        if (!util::starts_with(line, "--"))
          throw error("SQL before the '-- +upgrade' marker");
        // A free comment in the header is allowed.
      } else if (!is_plain_key(key)) {
        // "-- Down_Revision: x" must not silently make a new root; other keys with
        // capitals or hyphens ("-- Note: ...") stay free comments, as they always were.
        const std::string_view known = known_key_spelling(key);
        if (!known.empty())
          throw error("header key '" + std::string(key) + "' must be written '" +
                      std::string(known) + "' (lower case, with underscores)");
      } else {
        const std::string key_text(key);
        if (std::find(seen_keys.begin(), seen_keys.end(), key_text) != seen_keys.end())
          throw error("duplicate header key '" + key_text + "'");
        seen_keys.push_back(key_text);
        const std::string value_text(value);
        if (key == "revision") {
          if (!is_valid_revision_id(value_text))
            throw error("invalid revision id '" + value_text + "' (" + revision_id_rule + ")");
          revision.id = value_text;
          seen_revision = true;
        } else if (key == "down_revision") {
          revision.down_revisions = util::split_list(value);
          check_ids(revision.down_revisions, "down_revision");
        } else if (key == "message") {
          revision.message = value_text;
        } else if (key == "created") {
          revision.created = value_text;
        } else if (key == "branch_labels") {
          revision.branch_labels = util::split_list(value);
          for (const auto& label : revision.branch_labels)
            if (!is_valid_revision_id(label))
              throw error("invalid branch label '" + label + "' (" + revision_id_rule + ")");
        } else if (key == "depends_on") {
          revision.depends_on = util::split_list(value);
          check_ids(revision.depends_on, "depends_on");
        } else if (key == "foreign_keys") {
          if (value == "off")
            revision.foreign_keys_off = true;
          else if (value == "on")
            revision.foreign_keys_off = false;
          else
            throw error("foreign_keys must be on or off, not '" + value_text + "'");
        } else if (key == "squashes") {
          revision.squashes = util::split_list(value);
          check_ids(revision.squashes, "squashes");
        } else if (key == "squashed_checksums") {
          revision.squashed_checksums = util::split_list(value);
          for (const auto& checksum : revision.squashed_checksums)
            if (checksum.size() != 64 ||
                checksum.find_first_not_of("0123456789abcdef") != std::string::npos)
              throw error("squashed_checksums must be SHA-256 hex digests, not '" + checksum + "'");
        } else if (key == "transactional") {
          if (value == "true")
            revision.transactional = true;
          else if (value == "false")
            revision.transactional = false;
          else
            throw error("transactional must be true or false, not '" + value_text + "'");
        } else {
          throw error("unknown header key '" + key_text + "'");
        }
      }
    }
    pos = next;
  }
  if (!seen_revision) {
    line_number = 1;
    throw error("missing '-- revision:' header");
  }
  if (!seen_upgrade) {
    line_number = 1;
    throw error("missing '-- +upgrade' marker");
  }
  if (!revision.has_downgrade)
    upgrade_end = text.size();
  revision.upgrade_sql = text.substr(upgrade_begin, upgrade_end - upgrade_begin);
  if (revision.has_downgrade)
    revision.downgrade_sql = text.substr(downgrade_begin);
  for (const auto& parent : revision.down_revisions)
    if (parent == revision.id)
      throw Error(ErrorKind::Project, "revision " + revision.id + " names itself as down_revision",
                  file, 1);
  return revision;
}

Revision read_revision_file(const std::filesystem::path& path) {
  const std::string text = util::read_file(path, "revision file");
  Revision revision = parse_revision(text, path.string());
  revision.path = path;
  return revision;
}

std::string render_revision(const Revision& revision) {
  std::string text;
  auto field = [&text](const char* key, const std::string& value) {
    text += std::string("-- ") + key + ":" + (value.empty() ? "" : " " + value) + "\n";
  };
  field("revision", revision.id);
  field("down_revision", util::join(revision.down_revisions, ", "));
  field("message", revision.message);
  field("created", revision.created);
  field("branch_labels", util::join(revision.branch_labels, ", "));
  field("depends_on", util::join(revision.depends_on, ", "));
  text += std::string("-- transactional: ") + (revision.transactional ? "true" : "false") + "\n";
  if (revision.foreign_keys_off)
    text += "-- foreign_keys: off\n";
  if (!revision.squashes.empty())
    field("squashes", util::join(revision.squashes, ", "));
  if (!revision.squashed_checksums.empty())
    field("squashed_checksums", util::join(revision.squashed_checksums, ", "));
  text.reserve(text.size() + revision.upgrade_sql.size() + revision.downgrade_sql.size() + 64);
  text += "\n-- +upgrade\n";
  text += revision.upgrade_sql;
  if (!revision.upgrade_sql.empty() && revision.upgrade_sql.back() != '\n')
    text += "\n";
  if (revision.has_downgrade) {
    text += "\n-- +downgrade\n";
    text += revision.downgrade_sql;
    if (!revision.downgrade_sql.empty() && revision.downgrade_sql.back() != '\n')
      text += "\n";
  }
  return text;
}

std::string revision_file_name(const std::string& id, const std::string& message) {
  std::string slug;
  for (char c : message) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!slug.empty() && slug.back() != '_')
      slug += '_';
    if (slug.size() >= 40)
      break;
  }
  while (!slug.empty() && slug.back() == '_')
    slug.pop_back();
  return slug.empty() ? id + ".sql" : id + "_" + slug + ".sql";
}

std::string revision_checksum(const Revision& revision) {
  std::string folded;
  folded.reserve(revision.upgrade_sql.size());
  const auto& sql = revision.upgrade_sql;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '\r' && i + 1 < sql.size() && sql[i + 1] == '\n')
      continue;
    folded += sql[i];
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(folded.data(), folded.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
    throw Error(ErrorKind::Project, "SHA-256 failed for revision " + revision.id);
  return util::hex(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

std::string generate_revision_id() {
  // getrandom(2), not OpenSSL's RAND_bytes: seeding OpenSSL's generator cost a
  // millisecond per `revision`, for six bytes.
  std::array<unsigned char, 6> bytes{};
  if (getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
    throw Error(ErrorKind::Project, "cannot generate a random revision id");
  return util::hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

} // namespace dbtool::revision
