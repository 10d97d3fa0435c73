#pragma once

#include <future>
#include <utility>

namespace dbtool::util {

// Asks glibc to grow the heap in one large step and the kernel to back that step with
// transparent huge pages, so that a process touching megabytes of heap takes a few
// page faults instead of thousands. Where a page fault is dear (on the virtual
// machines dbtool is benchmarked on, 10-13 us each), this is about a third of `scan`
// and of `check` at 500 tables (bench/README.md). Call once, first thing in
// main(), before any thread starts. Does nothing when the heap is not glibc's brk
// heap (e.g. under AddressSanitizer); the cost is the unused part of the last huge
// page touched.
void use_huge_pages_for_heap();

// The same for the heap glibc gives the calling thread (its arena): call first thing
// on a thread that allocates much. Nothing when use_huge_pages_for_heap did nothing.
void use_huge_pages_for_thread_heap();

// WORK run on a thread of its own (std::async) that first calls
// use_huge_pages_for_thread_heap. Every thread of dbtool starts so: which arena glibc
// gives a new thread depends on whether an earlier thread has finished leaving its
// own, and a fresh arena not advised costs hundreds of page faults (half the runs of
// `revision --autogenerate` at 500 tables took 450 more, until its downgrade thread
// started this way).
template <typename Work> auto start_thread(Work work) {
  return std::async(std::launch::async, [work = std::move(work)]() mutable {
    use_huge_pages_for_thread_heap();
    return work();
  });
}

} // namespace dbtool::util
