#include "progress.h"

#include <iostream>

namespace dbtool::cli {

decltype(migrate::RunOptions::on_step) progress_reporter(const Context& context) {
  if (!context.show_progress())
    return {};
  return [](const migrate::StepRecord& step, std::size_t done, std::size_t total) {
    std::cerr << "\r\033[K[" << done << "/" << total << "] " << step.direction << " "
              << step.revision << std::flush;
  };
}

void finish_progress(const Context& context) {
  if (context.show_progress())
    std::cerr << "\r\033[K" << std::flush;
}

} // namespace dbtool::cli
