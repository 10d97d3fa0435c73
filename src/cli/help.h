#pragma once

#include <CLI/CLI.hpp>

#include <ostream>

#include <string>
#include <utility>
#include <vector>

namespace dbtool::cli {

// One worked example of a command: the command line and what it does. The same
// examples feed --help, the man page and README, so there is one copy to keep true.
struct Example {
  std::string command;
  std::string meaning;
};

// The purposes `dbtool` alone groups its commands by.
inline constexpr const char* group_revisions = "Revisions";
inline constexpr const char* group_state = "Database state";
inline constexpr const char* group_schema = "Schema";
inline constexpr const char* group_data = "Data";
inline constexpr const char* group_setup = "Setup";

// The exit statuses and the environment, for `dbtool --help` and the man page.
inline constexpr const char* exit_status_text =
    "0  success; validate and check: nothing to report\n"
    "1  validate: a mismatch; check: the database and the models differ\n"
    "2  usage error: unknown command, bad flag or argument\n"
    "3  project error: bad config or URL, malformed revision file, graph error, edited\n"
    "   applied revision, irreversible revision in a downgrade\n"
    "4  database error: cannot open or connect, SQL failure (rolled back), lock timeout\n"
    "70 internal error: a bug in dbtool (please report it), or out of memory\n";
inline constexpr const char* environment_text =
    "DBTOOL_URL (then DATABASE_URL) sets the database URL, DBTOOL_CONFIG the path of\n"
    "dbtool.toml, DBTOOL_ENV its [env.NAME] table to apply (as --env), DBTOOL_ECHO=1\n"
    "logs SQL, NO_COLOR turns colour off; an empty variable counts as unset. Flags win\n"
    "over the environment, which wins over dbtool.toml.\n";

// Files COMMAND under GROUP in the top-level help and gives its --help the EXAMPLES.
void describe(CLI::App& command, const char* group, const std::vector<Example>& examples);

// The examples given to describe(), by command name (for the man page).
const std::vector<Example>& examples_of(const CLI::App& command);

// After a parse error: "unknown command 'upgarde'; did you mean 'upgrade'?" or
// "unknown option '--sqll' for upgrade; did you mean '--sql'?" when an argument of ARGV
// is close to a command or option of APP; empty when nothing is close.
std::string suggest_correction(const CLI::App& app, int argc, const char* const* argv);

// The man page of APP, in roff, from the same descriptions, options and examples as
// --help.
void write_manpage(std::ostream& out, const CLI::App& app);

} // namespace dbtool::cli
