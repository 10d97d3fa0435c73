#include "dbtool/error.h"
#include "dbtool/revision/revision.h"

#include "test_helpers.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

using dbtool::Error;
using dbtool::revision::parse_revision;

TEST_CASE("a revision file parses into header fields and sections with their lines") {
  const std::string text = "-- revision: 3f2a9c1b7d4e\n"
                           "-- down_revision: 1a2b3c4d5e6f, 99aa\n"
                           "-- message: add reports table\n"
                           "-- created: 2026-11-21T22:13:02Z\n"
                           "-- branch_labels: reports\n"
                           "-- depends_on:\n"
                           "-- transactional: false\n"
                           "-- a free comment is fine\n"
                           "\n"
                           "-- +upgrade\n"
                           "CREATE TABLE reports (id INTEGER PRIMARY KEY);\n"
                           "\n"
                           "-- +downgrade\n"
                           "DROP TABLE reports;\n";
  const auto revision = parse_revision(text, "r.sql");
  CHECK(revision.id == "3f2a9c1b7d4e");
  CHECK(revision.down_revisions == std::vector<std::string>{"1a2b3c4d5e6f", "99aa"});
  CHECK(revision.message == "add reports table");
  CHECK(revision.created == "2026-11-21T22:13:02Z");
  CHECK(revision.branch_labels == std::vector<std::string>{"reports"});
  CHECK(revision.depends_on.empty());
  CHECK_FALSE(revision.transactional);
  CHECK(revision.upgrade_line == 11);
  CHECK(revision.upgrade_sql == "CREATE TABLE reports (id INTEGER PRIMARY KEY);\n\n");
  CHECK(revision.has_downgrade);
  CHECK(revision.downgrade_line == 14);
  CHECK(revision.downgrade_sql == "DROP TABLE reports;\n");
  CHECK(revision.is_merge());
}

TEST_CASE("a revision without a downgrade section is irreversible") {
  const auto revision = parse_revision("-- revision: abc\n-- +upgrade\nSELECT 1;\n", "r.sql");
  CHECK_FALSE(revision.has_downgrade);
  CHECK(revision.upgrade_sql == "SELECT 1;\n");
  CHECK(revision.is_base());
  CHECK(revision.transactional);
}

TEST_CASE("malformed revision files are project errors naming file and line") {
  auto fails_with = [](const std::string& text, const std::string& message) {
    try {
      parse_revision(text, "m.sql");
      FAIL("no error for: " << text);
    } catch (const Error& error) {
      CHECK(error.kind() == dbtool::ErrorKind::Project);
      CHECK(std::string(error.what()) == message);
    }
  };
  fails_with("-- +upgrade\nSELECT 1;\n", "m.sql:1: missing '-- revision:' header");
  fails_with("-- revision: a1\nSELECT 1;\n", "m.sql:2: SQL before the '-- +upgrade' marker");
  fails_with("-- revision: a1\n", "m.sql:1: missing '-- +upgrade' marker");
  fails_with("-- revision: a1\n-- down_revison: x\n-- +upgrade\n",
             "m.sql:2: unknown header key 'down_revison'");
  fails_with("-- revision: a1\n-- transactional: maybe\n-- +upgrade\n",
             "m.sql:2: transactional must be true or false, not 'maybe'");
  fails_with("-- revision: a-1\n-- +upgrade\n",
             "m.sql:1: invalid revision id 'a-1' (letters, digits and _ only, at most 64, not "
             "head, heads, base or current)");
  fails_with("-- revision: head\n-- +upgrade\n",
             "m.sql:1: invalid revision id 'head' (letters, digits and _ only, at most 64, not "
             "head, heads, base or current)");
  fails_with("-- revision: a1\n-- revision: a2\n-- +upgrade\n",
             "m.sql:2: duplicate header key 'revision'");
  fails_with("-- revision: a1\n-- +downgrade\n-- +upgrade\n",
             "m.sql:2: '-- +downgrade' before '-- +upgrade'");
  fails_with("-- revision: a1\n-- +upgrade\n-- +downgrade\n-- +downgrade\n",
             "m.sql:4: second '-- +downgrade' marker");
  fails_with("-- revision: a1\n-- down_revision: a1\n-- +upgrade\n",
             "m.sql:1: revision a1 names itself as down_revision");
  fails_with("-- revision: a1\n-- down_revision: b@1\n-- +upgrade\n",
             "m.sql:2: invalid revision id 'b@1' in down_revision");
}

TEST_CASE("a known header key in other capitals or with hyphens is an error, never a comment") {
  auto error_of = [](const std::string& text) {
    try {
      parse_revision(text, "k.sql");
    } catch (const Error& error) {
      CHECK(error.kind() == dbtool::ErrorKind::Project);
      return std::string(error.what());
    }
    return std::string("(no error)");
  };
  // Taken for a comment, these would have made b2 a new root.
  CHECK(error_of("-- revision: b2\n-- down-revision: b1\n-- +upgrade\n") ==
        "k.sql:2: header key 'down-revision' must be written 'down_revision' (lower case, with "
        "underscores)");
  CHECK(error_of("-- revision: b2\n-- Down_Revision: b1\n-- +upgrade\n") ==
        "k.sql:2: header key 'Down_Revision' must be written 'down_revision' (lower case, with "
        "underscores)");
  CHECK(error_of("-- Revision: b2\n-- +upgrade\n") ==
        "k.sql:1: header key 'Revision' must be written 'revision' (lower case, with underscores)");
  CHECK(error_of("-- revision: b2\n-- DEPENDS-ON: b1\n-- +upgrade\n") ==
        "k.sql:2: header key 'DEPENDS-ON' must be written 'depends_on' (lower case, with "
        "underscores)");
  CHECK(error_of("-- revision: b2\n-- Transactional: false\n-- +upgrade\n") ==
        "k.sql:2: header key 'Transactional' must be written 'transactional' (lower case, with "
        "underscores)");
  // Free comments that are no key of dbtool's stay comments.
  const auto revision = parse_revision(
      "-- revision: b2\n-- Note: keep this\n-- TODO-later: x\n-- +upgrade\n", "k.sql");
  CHECK(revision.id == "b2");
  CHECK(revision.is_base());
}

TEST_CASE("the checksum is SHA-256 of the upgrade section with CRLF folded to LF") {
  auto lf = parse_revision("-- revision: a1\n-- +upgrade\nSELECT 1;\nSELECT 2;\n", "a.sql");
  auto crlf =
      parse_revision("-- revision: a1\r\n-- +upgrade\r\nSELECT 1;\r\nSELECT 2;\r\n", "a.sql");
  CHECK(dbtool::revision::revision_checksum(lf) == dbtool::revision::revision_checksum(crlf));
  lf.upgrade_sql = "";
  CHECK(dbtool::revision::revision_checksum(lf) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  lf.upgrade_sql = "abc";
  CHECK(dbtool::revision::revision_checksum(lf) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("render_revision writes a file that parses back to the same revision") {
  dbtool::revision::Revision revision;
  revision.id = "0a1b2c3d4e5f";
  revision.down_revisions = {"aaaa1111", "bbbb2222"};
  revision.message = "merge two heads";
  revision.created = "2026-11-21T22:13:02Z";
  revision.branch_labels = {"x"};
  revision.depends_on = {"cccc3333"};
  revision.transactional = false;
  revision.upgrade_sql = "SELECT 1;\n";
  revision.has_downgrade = true;
  revision.downgrade_sql = "SELECT 2;\n";
  const auto text = dbtool::revision::render_revision(revision);
  const auto back = parse_revision(text, "x.sql");
  CHECK(back.id == revision.id);
  CHECK(back.down_revisions == revision.down_revisions);
  CHECK(back.message == revision.message);
  CHECK(back.branch_labels == revision.branch_labels);
  CHECK(back.depends_on == revision.depends_on);
  CHECK(back.transactional == revision.transactional);
  // The blank line that separates the sections belongs to the upgrade section.
  CHECK(back.upgrade_sql == revision.upgrade_sql + "\n");
  CHECK(back.downgrade_sql == revision.downgrade_sql);
}

TEST_CASE("file names and generated ids") {
  using dbtool::revision::revision_file_name;
  CHECK(revision_file_name("abc", "Add reports table!") == "abc_add_reports_table.sql");
  CHECK(revision_file_name("abc", "  ") == "abc.sql");
  CHECK(revision_file_name("abc", std::string(100, 'x')).size() == 4 + 40 + 4);
  const auto id = dbtool::revision::generate_revision_id();
  CHECK(id.size() == 12);
  CHECK(dbtool::revision::is_valid_revision_id(id));
  CHECK(id != dbtool::revision::generate_revision_id());
  CHECK_FALSE(dbtool::revision::is_valid_revision_id(std::string(65, 'a')));
  CHECK_FALSE(dbtool::revision::is_valid_revision_id("a+1"));
}

TEST_CASE("squash's header keys parse, render back, and reject what is not a checksum") {
  const std::string checksum(64, 'a');
  const std::string text = "-- revision: s4\n"
                           "-- down_revision: s1\n"
                           "-- message: squashed\n"
                           "-- squashes: s2, s3\n"
                           "-- squashed_checksums: " +
                           checksum +
                           "\n"
                           "\n"
                           "-- +upgrade\n"
                           "CREATE TABLE t (id INTEGER);\n";
  const auto revision = parse_revision(text, "s4.sql");
  CHECK(revision.squashes == std::vector<std::string>{"s2", "s3"});
  CHECK(revision.squashed_checksums == std::vector<std::string>{checksum});
  const auto again = parse_revision(dbtool::revision::render_revision(revision), "s4.sql");
  CHECK(again.squashes == revision.squashes);
  CHECK(again.squashed_checksums == revision.squashed_checksums);

  std::string bad = text;
  bad.replace(bad.find(checksum), checksum.size(), "not-a-checksum");
  try {
    parse_revision(bad, "s4.sql");
    FAIL("a bad checksum was accepted");
  } catch (const Error& error) {
    CHECK(error.line() == 5);
    CHECK(error.message().find("not-a-checksum") != std::string::npos);
  }
  std::string bad_id = text;
  bad_id.replace(bad_id.find("s2, s3"), 6, "s2, ../x");
  CHECK_THROWS_AS(parse_revision(bad_id, "s4.sql"), Error);
}

TEST_CASE("read_revision_file reads to the end of the file, however the reads are cut") {
  dbtool::test::TempDir dir;
  // Larger than the reader's 16 KB buffer: several reads, the last one short.
  std::string sql;
  for (int i = 0; sql.size() < 40000; ++i)
    sql += "INSERT INTO t VALUES (" + std::to_string(i) + ");\n";
  const std::string text =
      "-- revision: big1\n-- +upgrade\n" + sql + "-- +downgrade\nDELETE FROM t;\n";
  {
    std::ofstream out(dir.path() / "big1.sql", std::ios::binary);
    out << text;
  }
  const auto big = dbtool::revision::read_revision_file(dir.path() / "big1.sql");
  CHECK(big.upgrade_sql == sql);
  CHECK(big.downgrade_sql == "DELETE FROM t;\n");

  // A FIFO hands the text over in the pieces its writer wrote: the first read returns
  // less than the buffer, long before the end.
  const auto fifo = dir.path() / "piped.sql";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const pid_t writer = fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {
    const int descriptor = ::open(fifo.c_str(), O_WRONLY);
    const std::string first = "-- revision: piped1\n-- +upgrade\n";
    const std::string second =
        "CREATE TABLE piped (id INTEGER);\n-- +downgrade\nDROP TABLE piped;\n";
    bool ok = descriptor >= 0 &&
              ::write(descriptor, first.data(), first.size()) == static_cast<ssize_t>(first.size());
    ::usleep(100000);
    ok = ok &&
         ::write(descriptor, second.data(), second.size()) == static_cast<ssize_t>(second.size());
    ::_exit(ok ? 0 : 1);
  }
  const auto piped = dbtool::revision::read_revision_file(fifo);
  int status = 0;
  ::waitpid(writer, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(piped.id == "piped1");
  CHECK(piped.upgrade_sql == "CREATE TABLE piped (id INTEGER);\n");
  CHECK(piped.has_downgrade);
  CHECK(piped.downgrade_sql == "DROP TABLE piped;\n");
}
