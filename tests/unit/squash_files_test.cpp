#include "test_helpers.h"

#include "dbtool/diff/squash.h"
#include "dbtool/error.h"
#include "dbtool/revision/script_directory.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace {

namespace fs = std::filesystem;

// Every file of FOLDER (hidden ones included) with its text; a folder as "<dir>".
std::map<std::string, std::string> contents(const fs::path& folder) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_directory()) {
      files[entry.path().filename().string()] = "<dir>";
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    files[entry.path().filename().string()] = text.str();
  }
  return files;
}

// s1 <- s2 <- s3 <- s4 <- s5, each in s<N>_rev.sql.
void write_run(const fs::path& folder) {
  fs::create_directories(folder);
  std::string parent;
  for (int i = 1; i <= 5; ++i) {
    const std::string id = "s" + std::to_string(i);
    std::ofstream(folder / (id + "_rev.sql"))
        << "-- revision: " << id << "\n-- down_revision: " << parent << "\n-- message: rev\n\n"
        << "-- +upgrade\nCREATE TABLE t" << i << " (x);\n\n-- +downgrade\nDROP TABLE t" << i
        << ";\n";
    parent = id;
  }
}

// s2..s4 squashed into s4, whose parent becomes s1.
dbtool::revision::Revision squashed_revision() {
  dbtool::revision::Revision revision;
  revision.id = "s4";
  revision.down_revisions = {"s1"};
  revision.message = "folded";
  revision.created = "2026-01-01T00:00:00Z";
  revision.squashes = {"s2", "s3"};
  revision.upgrade_sql = "CREATE TABLE t2 (x);\nCREATE TABLE t3 (x);\nCREATE TABLE t4 (x);\n";
  revision.has_downgrade = true;
  revision.downgrade_sql = "DROP TABLE t4;\nDROP TABLE t3;\nDROP TABLE t2;\n";
  return revision;
}

std::vector<fs::path> run_files(const fs::path& folder) {
  return {folder / "s2_rev.sql", folder / "s3_rev.sql", folder / "s4_rev.sql"};
}

} // namespace

TEST_CASE("squash: after every step of replacing the files, the folder loads as a project") {
  dbtool::test::TempDir dir;
  const fs::path folder = dir.path() / "migrations";
  write_run(folder);
  std::vector<int> steps;
  const auto written = dbtool::diff::replace_squashed_files(
      folder, squashed_revision(), run_files(folder), [&](int step) {
        steps.push_back(step);
        // Loads: no duplicate id, no revision whose parent is missing.
        const auto graph = dbtool::revision::ScriptDirectory(folder).load();
        REQUIRE(graph.find("s4"));
        CHECK(graph.find("s5"));
        CHECK(graph.find("s1"));
      });
  CHECK(steps == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(written == folder / "s4_folded.sql");
  const auto files = contents(folder);
  CHECK(files.size() == 3);
  CHECK(files.count("s1_rev.sql") == 1);
  CHECK(files.count("s5_rev.sql") == 1);
  REQUIRE(files.count("s4_folded.sql") == 1);
  const auto graph = dbtool::revision::ScriptDirectory(folder).load();
  CHECK(graph.id(graph.parents(*graph.find("s4")).at(0)) == "s1");
  CHECK(graph.id(graph.parents(*graph.find("s5")).at(0)) == "s4");
}

TEST_CASE("squash: a failure at any step puts every old file back as it was") {
  for (int failing = 1; failing <= 5; ++failing) {
    CAPTURE(failing);
    dbtool::test::TempDir dir;
    const fs::path folder = dir.path() / "migrations";
    write_run(folder);
    const auto before = contents(folder);
    // Not a dbtool::Error: whatever the exception, the files come back and it goes on.
    CHECK_THROWS_WITH_AS(
        dbtool::diff::replace_squashed_files(folder, squashed_revision(), run_files(folder),
                                             [&](int step) {
                                               if (step == failing)
                                                 throw std::runtime_error("interrupted");
                                             }),
        "interrupted", std::runtime_error);
    CHECK(contents(folder) == before);
  }
}

TEST_CASE("squash: a rename the file system refuses leaves the old project") {
  dbtool::test::TempDir dir;
  const fs::path folder = dir.path() / "migrations";
  write_run(folder);
  // A folder where the new file's name should go: rename(2) refuses to replace it.
  fs::create_directories(folder / "s4_folded.sql" / "in_the_way");
  const auto before = contents(folder);
  try {
    dbtool::diff::replace_squashed_files(folder, squashed_revision(), run_files(folder));
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(error.message().find("cannot rename s4_rev.sql to s4_folded.sql") == 0);
    CHECK(error.message().find("; nothing was changed") != std::string::npos);
  }
  CHECK(contents(folder) == before);
}
