#pragma once

#include <cstddef>
#include <functional>

namespace dbtool::util {

// Work over COUNT items split in two: WORK(0, 0, half) on the calling thread and
// WORK(1, half, COUNT) on a second thread when COUNT is at least SPLIT_FROM; below it,
// WORK(0, 0, COUNT) alone on the calling thread. An empty range is not run. Returns when both
// are done; an exception of the first half is rethrown before one of the second, as one
// pass over the items would have reported it.
void run_in_two_halves(std::size_t count, std::size_t split_from,
                       const std::function<void(int part, std::size_t from, std::size_t to)>& work);

} // namespace dbtool::util
