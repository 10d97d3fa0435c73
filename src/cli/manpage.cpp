// `dbtool manpage` (hidden): the man page, written from the very commands, options and
// examples that --help prints, so the two cannot drift apart. The build runs it to
// make dbtool.1.
#include "context.h"
#include "help.h"

#include "dbtool/util/strings.h"
#include "dbtool/version.h"

#include <iostream>

namespace dbtool::cli {

namespace {

// Text for roff: backslashes and hyphens escaped, a leading dot or quote neutralised.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  std::string guarded;
  bool line_start = true;
  for (char c : out) {
    if (line_start && (c == '.' || c == '\''))
      guarded += "\\&";
    guarded += c;
    line_start = c == '\n';
  }
  return guarded;
}

std::string option_heading(const CLI::Option& option) {
  std::string heading;
  for (const auto& name : option.get_snames())
    heading += (heading.empty() ? "" : ", ") + std::string("\\fB\\-") + roff(name) + "\\fR";
  for (const auto& name : option.get_lnames())
    heading += (heading.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + roff(name) + "\\fR";
  if (heading.empty())
    return "\\fI" + roff(option.get_name()) + "\\fR";
  if (!option.get_type_name().empty())
    heading += " \\fI" + roff(option.get_type_name()) + "\\fR";
  return heading;
}

void write_options(std::ostream& out, const CLI::App& app) {
  for (const auto* option : app.get_options()) {
    if (option == app.get_help_ptr() || option->get_group().empty())
      continue;
    out << ".TP\n" << option_heading(*option) << "\n" << roff(option->get_description()) << "\n";
  }
}

std::string usage(const CLI::App& command) {
  std::string text = "dbtool " + command.get_name();
  for (const auto* option : command.get_options())
    if (option->get_lnames().empty() && option->get_snames().empty() &&
        option != command.get_help_ptr())
      text += option->get_required() ? " " + option->get_name() : " [" + option->get_name() + "]";
  return text + " [OPTIONS]";
}

} // namespace

void write_manpage(std::ostream& out, const CLI::App& app) {
  out << ".TH DBTOOL 1 \"\" \"" << roff(version_string()) << "\" \"User Commands\"\n"
      << ".SH NAME\ndbtool \\- "
      << roff(app.get_description().substr(app.get_description().find(": ") + 2))
      << "\n.SH SYNOPSIS\n.B dbtool\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGUMENTS\\fR]\n"
      << ".SH DESCRIPTION\n"
      << roff(app.get_description()) << ".\n"
      << "Run \\fBdbtool COMMAND \\-\\-help\\fR for one command.\n"
      << ".SH GLOBAL OPTIONS\n";
  write_options(out, app);
  for (const char* group : {group_revisions, group_state, group_schema, group_data, group_setup}) {
    out << ".SH " << roff(util::to_upper(group)) << " COMMANDS\n";
    for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (command->get_group() != group)
        continue;
      out << ".SS \"" << roff(usage(*command)) << "\"\n"
          << roff(command->get_description()) << ".\n";
      write_options(out, *command);
      const auto& examples = examples_of(*command);
      if (!examples.empty()) {
        out << ".PP\nExamples:\n";
        for (const auto& example : examples)
          out << ".RS\n.nf\n\\fB" << roff(example.command) << "\\fR\n.fi\n"
              << roff(example.meaning) << "\n.RE\n";
      }
    }
  }
  out << ".SH EXIT STATUS\n.nf\n"
      << roff(exit_status_text) << ".fi\n"
      << ".SH ENVIRONMENT\n"
      << roff(environment_text)
      << ".SH SEE ALSO\nREADME.md and docs/ in the dbtool sources; sqlite3(1), psql(1).\n";
}

void setup_manpage(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("manpage", "Print the man page (roff)");
  command->group(""); // hidden: for the build, not for users
  command->callback([&app, &exit_code] {
    write_manpage(std::cout, app);
    exit_code = 0;
  });
}

} // namespace dbtool::cli
