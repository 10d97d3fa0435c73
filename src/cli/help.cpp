#include "help.h"

#include "dbtool/util/strings.h"

#include <map>

namespace dbtool::cli {

namespace {

std::map<const CLI::App*, std::vector<Example>>& registry() {
  static std::map<const CLI::App*, std::vector<Example>> examples;
  return examples;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; }))
    if (!command->get_group().empty())
      names.push_back(command->get_name());
  return names;
}

std::vector<std::string> long_flags(const CLI::App& app) {
  std::vector<std::string> flags;
  for (const auto* option : app.get_options())
    for (const auto& name : option->get_lnames())
      flags.push_back("--" + name);
  return flags;
}

} // namespace

void describe(CLI::App& command, const char* group, const std::vector<Example>& examples) {
  command.group(group);
  registry()[&command] = examples;
  std::string footer = "Examples:\n";
  for (const auto& example : examples)
    footer += "  " + example.command + "\n      " + example.meaning + "\n";
  command.footer(footer);
}

const std::vector<Example>& examples_of(const CLI::App& command) {
  static const std::vector<Example> none;
  const auto found = registry().find(&command);
  return found == registry().end() ? none : found->second;
}

std::string suggest_correction(const CLI::App& app, int argc, const char* const* argv) {
  const CLI::App* command = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--")
      break;
    if (word.rfind("--", 0) == 0) {
      const std::string name = word.substr(0, word.find('='));
      const CLI::App& scope = command != nullptr ? *command : app;
      std::vector<std::string> flags = long_flags(scope);
      if (command != nullptr)
        for (auto& flag : long_flags(app))
          flags.push_back(flag);
      if (std::find(flags.begin(), flags.end(), name) != flags.end())
        continue;
      const std::string closest = util::closest_word(name, flags);
      if (closest.empty())
        return {};
      return "unknown option '" + name + "'" +
             (command != nullptr ? " for " + command->get_name() : std::string()) +
             "; did you mean '" + closest + "'?";
    }
    if (word.rfind('-', 0) == 0 || command != nullptr)
      continue;
    // The first word that is not an option (nor the value of one) names the command.
    if (i > 1) {
      const std::string previous = argv[i - 1];
      const auto* option = previous.rfind("-", 0) == 0 && previous.find('=') == std::string::npos
                               ? app.get_option_no_throw(previous)
                               : nullptr;
      if (option != nullptr && option->get_type_size() != 0)
        continue;
    }
    const auto names = command_names(app);
    if (std::find(names.begin(), names.end(), word) != names.end()) {
      command = app.get_subcommand(word);
      continue;
    }
    const std::string closest = util::closest_word(word, names);
    if (closest.empty())
      return "unknown command '" + word + "'";
    return "unknown command '" + word + "'; did you mean '" + closest + "'?";
  }
  return {};
}

} // namespace dbtool::cli
