#pragma once

#include "context.h"

#include "dbtool/migrate/migrator.h"

namespace dbtool::cli {

// A step callback that redraws "[done/total] revision" on stderr when progress is
// wanted there (see Context::show_progress), and with PRINT_STEPS prints each step's
// line on stdout as it completes (human output only), so that the steps a failed run
// committed are on the screen when main() prints the error.
decltype(migrate::RunOptions::on_step) step_reporter(const Context& context, bool print_steps);
// Clears the progress line, if one was drawn.
void finish_progress(const Context& context);
// Runs RUN (an upgrade or downgrade) and clears the progress line however it ends. When
// it fails after committing steps, the error that reaches main() carries them for
// --json (Context::error_detail: the run document of what was committed); the text
// output printed them as they completed.
migrate::RunResult run_reporting_failure(Context& context, const char* command,
                                         const std::function<migrate::RunResult()>& run);

} // namespace dbtool::cli
