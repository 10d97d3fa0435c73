#include "dbtool/util/file_text.h"

#include "dbtool/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dbtool::util {

std::string read_file(const std::filesystem::path& path, const std::string& what) {
  const auto failure = [&](int error) {
    return Error(ErrorKind::Project, "cannot read " + what + ": " + std::strerror(error),
                 path.string());
  };
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0)
    throw failure(errno);
  std::string text;
  struct stat status {};
  if (::fstat(descriptor, &status) == 0 && S_ISREG(status.st_mode))
    text.reserve(static_cast<std::size_t>(status.st_size));
  // The buffer is on the stack: growing a string to read into would zero it first.
  char buffer[16384];
  while (true) {
    const ssize_t got = ::read(descriptor, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      const int error = errno;
      ::close(descriptor);
      throw failure(error);
    }
    if (got == 0)
      break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(descriptor);
  return text;
}

} // namespace dbtool::util
