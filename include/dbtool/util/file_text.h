#pragma once

#include <filesystem>
#include <string>

namespace dbtool::util {

// The whole content of the file at PATH. Plain POSIX reads, until read() says end of
// file: a read may return less than asked before the end (a signal, a FIFO, a network
// or FUSE file system), and graph commands read thousands of small files, for which an
// ifstream costs more to set up than the file costs to read. On failure,
// Error(Project) "cannot read WHAT: <the system's reason>" naming PATH.
std::string read_file(const std::filesystem::path& path, const std::string& what);

} // namespace dbtool::util
