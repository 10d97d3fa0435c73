#pragma once

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

} // namespace dbtool::util
