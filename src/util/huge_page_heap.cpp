#include "dbtool/util/huge_page_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace dbtool::util {

namespace {

constexpr std::size_t huge_page = std::size_t{2} << 20;
// glibc maps each thread arena as one heap of this size, aligned to it (arena.c).
constexpr std::size_t thread_heap_size = std::size_t{64} << 20;

// The main heap's range once reserved: a thread served from it has nothing to advise.
std::atomic<std::uintptr_t> main_heap_begin{0};
std::atomic<std::uintptr_t> main_heap_end{0};

// Blocks that fill the heap from where its free top starts up to BOUNDARY, never freed:
// what is allocated next lies in huge pages from its first byte, not in 4 KB pages of
// the part touched before the advice. Untouched, a filler costs address space only.
void* volatile main_filler = nullptr;
thread_local void* volatile thread_filler = nullptr;

void* fill_up_to(std::uintptr_t top, std::uintptr_t boundary) {
  constexpr std::uintptr_t chunk_overhead = 32;
  if (boundary <= top + 2 * chunk_overhead)
    return nullptr;
  return std::malloc(boundary - top - chunk_overhead);
}

} // namespace

void use_huge_pages_for_heap() {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  // Address space, not memory: only the huge pages touched are backed (under strict
  // overcommit accounting it is charged, hence no more than a large run needs: 100,000
  // revisions take under 200 MB; beyond it the heap grows as usual).
  constexpr std::size_t reserve = std::size_t{256} << 20;
  // Every block from the heap, large ones too (glibc maps those separately, and they
  // fault page by page, again after each realloc), and no giving back of the heap's
  // top between allocations.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  mallopt(M_TOP_PAD, static_cast<int>(reserve));
  const auto before = reinterpret_cast<std::uintptr_t>(sbrk(0));
  // An allocation larger than the heap's free top grows it by the whole reserve.
  // (volatile: a malloc whose block is freed unused may be left out by the compiler.)
  constexpr std::size_t probe_size = std::size_t{1} << 20;
  void* volatile probe = std::malloc(probe_size);
  const auto after = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const auto top = reinterpret_cast<std::uintptr_t>(probe); // the free top, once freed
  std::free(probe);
  mallopt(M_TOP_PAD, static_cast<int>(huge_page));
  // The advice starts at the first huge page that nothing has touched yet: glibc wrote
  // the header of the heap's remaining top just past the probe's block, and a huge page
  // of which one 4 KB page is already there is never backed as one (half the runs lost
  // 2 MB of it to 450 page faults, when the heap began less than 1 MB below a boundary).
  const std::uintptr_t touched = std::max(before, top + probe_size + 64);
  const std::uintptr_t first = (touched + huge_page - 1) & ~(huge_page - 1);
  const std::uintptr_t last = after & ~(huge_page - 1);
  if (after <= before || last <= first)
    return; // not a brk heap (a sanitizer's allocator, say), or no room for it
  if (madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE) != 0)
    return;
  if (top < first)
    main_filler = fill_up_to(top, first);
  main_heap_begin = before;
  main_heap_end = after;
#endif
}

void use_huge_pages_for_thread_heap() {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  if (main_heap_end == 0)
    return;                               // use_huge_pages_for_heap did nothing: neither does this
  void* volatile probe = std::malloc(64); // makes the thread's arena, if it has none
  const auto address = reinterpret_cast<std::uintptr_t>(probe);
  const std::uintptr_t heap = address & ~(thread_heap_size - 1);
  if (address == 0 || (address >= main_heap_begin && address < main_heap_end)) {
    std::free(probe);
    return;
  }
  // A thread arena grows as it is used, one mprotect per page, which no huge page can
  // back: a large block makes it grow once, nearly to its limit (freed, it stays:
  // M_TRIM_THRESHOLD).
  void* volatile grow = std::malloc(thread_heap_size - (std::size_t{4} << 20));
  const auto top = reinterpret_cast<std::uintptr_t>(grow); // the free top, once freed
  std::free(grow);
  if ((top & ~(thread_heap_size - 1)) == heap &&
      madvise(reinterpret_cast<void*>(heap), thread_heap_size, MADV_HUGEPAGE) == 0)
    thread_filler = fill_up_to(top, heap + huge_page);
  std::free(probe);
#endif
}

} // namespace dbtool::util
