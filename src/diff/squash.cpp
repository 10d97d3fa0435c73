#include "dbtool/diff/squash.h"

#include "dbtool/db/postgres/postgres_connection.h"
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/diff/migration.h"
#include "dbtool/error.h"
#include "dbtool/schema/declared_schema.h"
#include "dbtool/schema/introspector.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/file_text.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <set>
#include <unistd.h>

namespace dbtool::diff {

namespace {

namespace fs = std::filesystem;
using revision::Index;
using revision::IndexList;
using revision::Revision;
using revision::RevisionGraph;

Error squash_error(const std::string& message, const std::string& file = {}, int line = 0) {
  return Error(ErrorKind::Project, message + "; nothing was changed", file, line);
}

// A revision named the way targets are (id, prefix, label, head); exactly one.
Index resolve_one(const RevisionGraph& graph, const std::string& text) {
  const IndexList found = graph.resolve(text, {});
  if (found.size() != 1)
    throw squash_error("'" + text + "' names " + std::to_string(found.size()) +
                       " revisions; squash needs exactly one at each end");
  return found[0];
}

// FROM..TO, FROM first, checked to be a run nothing else hangs on.
IndexList linear_run(const RevisionGraph& graph, Index from, Index to) {
  IndexList run{to};
  for (Index at = to; at != from;) {
    const auto& parents = graph.parents(at);
    if (parents.empty())
      throw squash_error("revision " + graph.id(from) + " is not an ancestor of " + graph.id(to));
    if (parents.size() > 1)
      throw squash_error("revision " + graph.id(at) + " merges " + std::to_string(parents.size()) +
                         " parents: only a linear run of revisions can be squashed");
    at = parents[0];
    run.push_back(at);
  }
  std::reverse(run.begin(), run.end());
  if (run.size() < 2)
    throw squash_error("FROM and TO are the same revision (" + graph.id(to) +
                       "): nothing to squash");
  const std::set<Index> members(run.begin(), run.end());
  for (std::size_t i = 0; i + 1 < run.size(); ++i) {
    for (Index child : graph.children(run[i]))
      if (child != run[i + 1])
        throw squash_error("revision " + graph.id(run[i]) + " has another child, " +
                           graph.id(child) + ", outside " + graph.id(from) + ".." + graph.id(to) +
                           ": only a linear run can be squashed");
    for (Index dependent : graph.dependents(run[i]))
      if (members.count(dependent) == 0)
        throw squash_error("revision " + graph.id(dependent) + " depends on " + graph.id(run[i]) +
                           ", which the squash would remove");
  }
  return run;
}

// A database to replay revisions on and read the schema back: SQLite in memory, or a
// scratch schema of the project's PostgreSQL database inside a transaction that the
// destructor rolls back.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const config::Settings& settings) {
    if (settings.url.backend() == config::Backend::Postgres) {
      m_connection = std::make_unique<db::PostgresConnection>(settings.url, settings.postgres);
      schema::enter_postgres_scratch_schema(*m_connection, "dbtool_squash_");
    } else {
      m_connection = std::make_unique<db::SqliteConnection>(settings.sqlite);
      // Only the schema matters here, and with no rows a foreign key has nothing to
      // check; off, a table rebuild runs as the runner would run it.
      m_connection->set_foreign_keys(false);
      m_connection->begin_write();
    }
  }
  ~ScratchDatabase() { m_connection->rollback(); }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  db::Connection& connection() { return *m_connection; }
  schema::Schema schema() { return schema::introspect(*m_connection); }

  // Runs REVISION's upgrade; a failure names the revision file and line.
  void upgrade(const Revision& revision) {
    try {
      m_connection->execute_script(revision.upgrade_sql, revision.upgrade_line);
    } catch (const Error& error) {
      throw squash_error("revision " + revision.id +
                             " fails on a scratch database: " + error.message(),
                         revision.path.string(), error.line());
    }
  }

  // Runs generated SQL; a failure is the differ's, not the user's.
  void run_generated(const std::string& sql, const std::string& what) {
    try {
      m_connection->execute_script(sql, 1);
    } catch (const Error& error) {
      throw squash_error("the squashed " + what +
                         " fails on a scratch database: " + error.message());
    }
  }

 private:
  std::unique_ptr<db::Connection> m_connection;
};

// The statements a schema diff cannot carry over: they change rows, or (PostgreSQL)
// may, through a function.
bool is_data_statement(std::string_view statement, config::Backend backend) {
  const auto tokens = schema::tokenize_sql(statement);
  if (tokens.empty())
    return false;
  for (const char* word :
       {"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "COPY", "DO", "CALL", "WITH"})
    if (tokens[0].is_word(word))
      return true;
  return backend == config::Backend::Postgres && tokens[0].is_word("SELECT");
}

std::string first_line_of(std::string_view statement) {
  std::string text(util::trim(statement));
  const auto end = text.find('\n');
  if (end != std::string::npos)
    text = text.substr(0, end) + " ...";
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// The difference A -> B as SQL for the backend, up and down.
struct SquashedScripts {
  std::vector<Operation> operations;
  std::string upgrade;
  std::string downgrade;
  bool foreign_keys_off = false;
};

SquashedScripts render_scripts(const schema::Schema& before, const schema::Schema& after,
                               config::Backend backend) {
  SquashedScripts scripts;
  Migration up = plan_migration(before, after, backend);
  const MigrationScript down = plan_migration(after, before, backend).script;
  scripts.operations = std::move(up.operations);
  scripts.upgrade = std::move(up.script.sql);
  scripts.downgrade = down.sql;
  scripts.foreign_keys_off = up.script.foreign_keys_off || down.foreign_keys_off;
  return scripts;
}

// Proof that SQL turns the scratch database into EXPECTED: it must compare equal (on
// PostgreSQL, column order aside: it appends a column it adds back).
void require_same(const schema::Schema& actual, const schema::Schema& expected,
                  config::Backend backend, const std::string& what) {
  const auto left = compare_schemas(actual, expected, backend);
  if (!left.empty())
    throw squash_error("the squashed " + what + " does not rebuild the schema exactly (" +
                       left.front().describe() + ")");
}

void append_unique(std::vector<std::string>& into, const std::vector<std::string>& items) {
  for (const auto& item : items)
    if (std::find(into.begin(), into.end(), item) == into.end())
      into.push_back(item);
}

// TEXT into PATH, flushed to disk (O_TRUNC: a stale file of a killed run is replaced).
void write_synced(const fs::path& path, const std::string& text) {
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (descriptor < 0)
    throw Error(ErrorKind::Project, std::string("cannot write: ") + std::strerror(errno),
                path.string());
  std::size_t written = 0;
  while (written < text.size()) {
    const auto count = ::write(descriptor, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR)
      continue;
    if (count <= 0) {
      const int error = errno;
      ::close(descriptor);
      throw Error(ErrorKind::Project, std::string("cannot write: ") + std::strerror(error),
                  path.string());
    }
    written += static_cast<std::size_t>(count);
  }
  const bool synced = ::fsync(descriptor) == 0;
  const int error = errno;
  if (::close(descriptor) != 0 || !synced)
    throw Error(ErrorKind::Project,
                std::string("cannot write: ") + std::strerror(synced ? errno : error),
                path.string());
}

std::string read_whole(const fs::path& path) {
  try {
    return util::read_file(path, "revision file");
  } catch (const Error& error) {
    throw squash_error(error.message(), error.file());
  }
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    throw Error(ErrorKind::Project,
                "cannot rename " + from.filename().string() + " to " + to.filename().string() +
                    ": " + ec.message(),
                from.string());
}

} // namespace

fs::path replace_squashed_files(const fs::path& folder, const revision::Revision& squashed,
                                const std::vector<fs::path>& run_files,
                                const std::function<void(int step)>& after_step) {
  const fs::path target = folder / revision::revision_file_name(squashed.id, squashed.message);
  const fs::path temporary = folder / (".dbtool-squash-" + squashed.id + ".tmp");
  const fs::path& last = run_files.back(); // TO's file
  // Every file of the run as it is, to put back should a step fail.
  std::vector<std::string> old_texts;
  for (const auto& file : run_files)
    old_texts.push_back(read_whole(file));

  // The steps, each one rename or unlink, so that the folder loads after any of them.
  int step = 0;
  auto done = [&] {
    ++step;
    if (after_step)
      after_step(step);
  };
  fs::path squashed_at = last; // where the new revision is once it is in place
  std::size_t removed = 0;     // files of the run deleted, TO's parent first
  try {
    write_synced(temporary, revision::render_revision(squashed));
    done();
    // One rename swaps TO for the squashed revision: never two files with TO's id, never
    // none. What is left of the old run hangs off FROM's parents as a side branch.
    rename_or_throw(temporary, last);
    done();
    if (target != last) {
      rename_or_throw(last, target);
      squashed_at = target;
      done();
    }
    // Children first: what is left of the side branch keeps every parent it names.
    for (std::size_t i = run_files.size() - 1; i-- > 0;) {
      std::error_code ec;
      fs::remove(run_files[i], ec);
      if (ec)
        throw Error(ErrorKind::Project, "cannot remove a squashed revision file: " + ec.message(),
                    run_files[i].string());
      ++removed;
      done();
    }
    return target;
  } catch (...) {
    // Put the old run back in the reverse order: the deleted files parents first, then
    // TO's text over the squashed revision, then TO's name.
    std::string restore_failure;
    try {
      for (std::size_t k = run_files.size() - 1 - removed; k + 1 < run_files.size(); ++k) {
        write_synced(temporary, old_texts[k]);
        rename_or_throw(temporary, run_files[k]);
      }
      if (step >= 2) {
        write_synced(temporary, old_texts.back());
        rename_or_throw(temporary, squashed_at);
        if (squashed_at != last)
          rename_or_throw(squashed_at, last);
      }
    } catch (const std::exception& error) {
      restore_failure = error.what();
    }
    std::error_code ec;
    fs::remove(temporary, ec);
    if (!restore_failure.empty()) {
      std::string what = "an unknown failure";
      try {
        throw;
      } catch (const std::exception& error) {
        what = error.what();
      } catch (...) {
      }
      throw Error(ErrorKind::Project,
                  "the squash failed (" + what +
                      ") and putting the old revision files back "
                      "failed too (" +
                      restore_failure +
                      "); the folder may hold both the squashed revision and part of the "
                      "old run",
                  folder.string());
    }
    try {
      throw;
    } catch (const Error& error) {
      throw Error(error.kind(), error.message() + "; nothing was changed", error.file(),
                  error.line());
    }
  }
}

SquashResult squash_revisions(const RevisionGraph& graph, const config::Settings& settings,
                              const std::optional<std::vector<std::string>>& database_at,
                              const SquashOptions& options) {
  const Index from = resolve_one(graph, options.from);
  const Index to = resolve_one(graph, options.to);
  const IndexList run = linear_run(graph, from, to);
  const std::set<Index> members(run.begin(), run.end());

  if (database_at)
    for (const auto& row : *database_at)
      if (const auto found = graph.find(row); found && *found != to && members.count(*found))
        throw squash_error("the database is at " + row + ", inside " + graph.id(from) + ".." +
                           graph.id(to) + ": it could not move once " + row +
                           " is gone; upgrade it to " + graph.id(to) + " (or past) first");

  // Everything the run stands on: FROM's ancestors and whatever the run depends on.
  IndexList roots = graph.parents(from);
  for (Index member : run)
    for (Index dependency : graph.dependencies(member))
      if (members.count(dependency) == 0)
        roots.push_back(dependency);
  const revision::RevisionSet before = graph.ancestors(roots);

  const config::Backend backend = settings.url.backend();
  ScratchDatabase scratch(settings);
  for (Index index : graph.topological_order())
    if (before[index])
      scratch.upgrade(graph.at(index));
  const schema::Schema start = scratch.schema();
  scratch.connection().execute("SAVEPOINT dbtool_squash");

  std::string data_statement;
  const Revision* running = nullptr;
  scratch.connection().set_observer([&](std::string_view sql) {
    if (running != nullptr && data_statement.empty() && is_data_statement(sql, backend))
      data_statement =
          "revision " + running->id + " (" + running->path.string() +
          ") runs a data statement, which a schema diff cannot carry over: " + first_line_of(sql);
  });
  for (Index index : run) {
    running = &graph.at(index);
    scratch.upgrade(graph.at(index));
  }
  running = nullptr;
  if (!data_statement.empty() && !options.force)
    throw squash_error(data_statement + " (--force squashes anyway, without it)");
  const schema::Schema end = scratch.schema();

  SquashedScripts scripts = render_scripts(start, end, backend);
  // The proof: from the start, the new upgrade gives the end, and its downgrade the start.
  scratch.connection().execute("ROLLBACK TO SAVEPOINT dbtool_squash");
  scratch.run_generated(scripts.upgrade, "upgrade");
  require_same(scratch.schema(), end, backend, "upgrade");
  scratch.run_generated(scripts.downgrade, "downgrade");
  require_same(scratch.schema(), start, backend, "downgrade");

  const Revision& last = graph.at(to);
  Revision squashed;
  squashed.id = last.id;
  squashed.down_revisions = graph.at(from).down_revisions;
  squashed.message = options.message;
  squashed.created = util::utc_now_iso8601_seconds();
  squashed.foreign_keys_off = scripts.foreign_keys_off;
  squashed.upgrade_sql = scripts.upgrade;
  squashed.has_downgrade = true;
  squashed.downgrade_sql = scripts.downgrade;
  SquashResult result;
  for (Index index : run) {
    const Revision& member = graph.at(index);
    append_unique(squashed.branch_labels, member.branch_labels);
    append_unique(squashed.squashes, member.squashes);
    if (index != to)
      append_unique(squashed.squashes, {member.id});
    for (const auto& dependency : member.depends_on)
      if (members.count(graph.resolve_revision(dependency)) == 0)
        append_unique(squashed.depends_on, {dependency});
    // A revision that could not be reverted stays irreversible once squashed.
    squashed.has_downgrade = squashed.has_downgrade && member.has_downgrade;
    result.replaced.push_back(member.id);
    result.removed.push_back(member.path);
  }
  if (!squashed.has_downgrade)
    squashed.downgrade_sql.clear();
  squashed.squashed_checksums = last.squashed_checksums;
  append_unique(squashed.squashed_checksums, {revision::revision_checksum(last)});

  squashed.path = replace_squashed_files(settings.migrations_dir, squashed, result.removed);
  result.operations = std::move(scripts.operations);
  result.written = std::move(squashed);
  return result;
}

} // namespace dbtool::diff
