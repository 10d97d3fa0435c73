#include "dbtool/util/two_halves.h"

#include <future>

namespace dbtool::util {

void run_in_two_halves(
    std::size_t count, std::size_t split_from,
    const std::function<void(int part, std::size_t from, std::size_t to)>& work) {
  const std::size_t half = count < split_from ? count : count / 2;
  std::future<void> second;
  if (half < count)
    second = std::async(std::launch::async, [&work, half, count] { work(1, half, count); });
  try {
    if (half > 0)
      work(0, 0, half);
  } catch (...) {
    if (second.valid())
      second.wait();
    throw;
  }
  if (second.valid())
    second.get();
}

} // namespace dbtool::util
