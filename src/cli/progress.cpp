#include "progress.h"

#include "format.h"

#include <iostream>

namespace dbtool::cli {

decltype(migrate::RunOptions::on_step) step_reporter(const Context& context, bool print_steps) {
  const bool progress = context.show_progress();
  // Human output only; print_run's text then leaves the steps out.
  const bool lines = print_steps && !context.json && !context.quiet;
  if (!progress && !lines)
    return {};
  return [progress, lines](const migrate::StepRecord& step, std::size_t done, std::size_t total) {
    if (lines)
      std::cout << step_line(step) << "\n" << std::flush;
    if (progress)
      std::cerr << "\r\033[K[" << done << "/" << total << "] " << step.direction << " "
                << step.revision << std::flush;
  };
}

migrate::RunResult run_reporting_failure(Context& context, const char* command,
                                         const std::function<migrate::RunResult()>& run) {
  try {
    auto result = run();
    finish_progress(context);
    return result;
  } catch (const migrate::RunFailed& failure) {
    finish_progress(context);
    context.error_detail = run_json(command, failure.partial());
    throw;
  } catch (...) {
    finish_progress(context);
    throw;
  }
}

void finish_progress(const Context& context) {
  if (context.show_progress())
    std::cerr << "\r\033[K" << std::flush;
}

} // namespace dbtool::cli
