#pragma once

#include "context.h"

#include "dbtool/migrate/migrator.h"

namespace dbtool::cli {

// A step callback that redraws "[done/total] revision" on stderr when progress is
// wanted there (see Context::show_progress), and nothing otherwise.
decltype(migrate::RunOptions::on_step) progress_reporter(const Context& context);
// Clears the progress line, if one was drawn.
void finish_progress(const Context& context);

} // namespace dbtool::cli
