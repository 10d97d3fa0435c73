#include "context.h"
#include "help.h"

#include "dbtool/migrate/migrator.h"
#include "dbtool/util/strings.h"

#include <array>
#include <iostream>

namespace dbtool::cli {

namespace {

using migrate::RevisionStatus;

// The states in the order the summary counts them.
constexpr std::array<RevisionStatus::State, 5> summary_order = {
    RevisionStatus::State::Applied, RevisionStatus::State::Stamped, RevisionStatus::State::Edited,
    RevisionStatus::State::Missing, RevisionStatus::State::Pending};

std::size_t count_of(const migrate::Status& status, RevisionStatus::State state) {
  std::size_t count = 0;
  for (const auto& entry : status.revisions)
    count += entry.state == state ? 1 : 0;
  return count;
}

// "3 applied, 1 edited, 2 pending": applied and pending always, the others when any.
std::string summary_line(const migrate::Status& status) {
  std::vector<std::string> parts;
  for (auto state : summary_order) {
    const std::size_t count = count_of(status, state);
    if (count > 0 || state == RevisionStatus::State::Applied ||
        state == RevisionStatus::State::Pending)
      parts.push_back(std::to_string(count) + " " + migrate::state_name(state));
  }
  return util::join(parts, ", ");
}

// A table as `flyway info` draws one: a rule, the header, a rule, the rows, a rule.
std::string table_text(const migrate::Status& status) {
  const std::array<std::string, 4> header = {"Revision", "Message", "State", "Applied at"};
  std::vector<std::array<std::string, 4>> rows;
  for (const auto& entry : status.revisions)
    rows.push_back(
        {entry.revision, entry.message, migrate::state_name(entry.state), entry.applied_at});
  std::array<std::size_t, 4> width{};
  for (std::size_t c = 0; c < 4; ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows)
      width[c] = std::max(width[c], row[c].size());
  }
  std::string rule = "+";
  for (auto w : width)
    rule += std::string(w + 2, '-') + "+";
  rule += "\n";
  auto line = [&](const std::array<std::string, 4>& cells) {
    std::string text = "|";
    for (std::size_t c = 0; c < 4; ++c)
      text += " " + cells[c] + std::string(width[c] - cells[c].size(), ' ') + " |";
    return text + "\n";
  };
  std::string text = rule + line(header) + rule;
  for (const auto& row : rows)
    text += line(row);
  return text + rule;
}

nlohmann::json status_json(const migrate::Status& status, const std::string& url) {
  nlohmann::json revisions = nlohmann::json::array();
  for (const auto& entry : status.revisions)
    revisions.push_back(
        {{"revision", entry.revision},
         {"state", migrate::state_name(entry.state)},
         {"message", entry.message},
         {"file", entry.file.empty() ? nlohmann::json() : nlohmann::json(entry.file)},
         {"applied_at",
          entry.applied_at.empty() ? nlohmann::json() : nlohmann::json(entry.applied_at)}});
  nlohmann::json summary = nlohmann::json::object();
  for (auto state : summary_order)
    summary[migrate::state_name(state)] = count_of(status, state);
  return {{"command", "status"},
          {"url", url},
          {"current", status.current},
          {"revisions", revisions},
          {"summary", summary}};
}

} // namespace

void setup_status(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "status", "List the revisions: applied (and when), pending, edited, missing");
  describe(*command, group_state,
           {{"dbtool status", "What is applied and what an upgrade would run, oldest first"},
            {"dbtool --json status | jq -r '.revisions[] | select(.state == \"pending\") | "
             ".revision'",
             "The pending revisions, for scripts"}});
  command->callback([&context, &exit_code] {
    const auto& graph = context.graph();
    const migrate::Migrator migrator(graph, context.settings());
    const auto status = migrator.status(context.connection());
    const std::string url = context.settings().url.masked();
    if (context.json) {
      context.print_json(status_json(status, url));
    } else if (!context.quiet) {
      const std::string at = status.current.empty() ? "base" : util::join(status.current, ", ");
      std::cout << "Database: " << url << " (at " << at << ")\n"
                << table_text(status) << summary_line(status) << "\n";
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
