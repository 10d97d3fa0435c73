// libFuzzer target: database URL parsing and password masking. In a URL that parsed,
// the password (user:PASSWORD@, up to the last '@') must not survive masking.
#include "dbtool/config/database_url.h"
#include "dbtool/error.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)dbtool::config::mask_password(text);
  try {
    const auto url = dbtool::config::DatabaseUrl::parse(text);
    const std::string masked = url.masked();
    // user:SECRET@host with a plain secret: the secret must be gone.
    const auto scheme = text.find("://");
    const auto at = text.rfind('@');
    if (url.backend() == dbtool::config::Backend::Postgres && scheme != std::string::npos &&
        at != std::string::npos && at > scheme) {
      const auto colon = text.find(':', scheme + 3);
      // A password that appears once in the URL does not appear in the masked one
      // (masking may hide more, never less).
      if (colon != std::string::npos && colon < at) {
        const std::string secret = text.substr(colon + 1, at - colon - 1);
        if (secret.size() >= 4 && secret.find('*') == std::string::npos &&
            text.find(secret) == colon + 1 && text.find(secret, colon + 2) == std::string::npos &&
            masked.find(secret) != std::string::npos)
          std::abort();
      }
    }
    (void)url.resolved("/project");
  } catch (const dbtool::Error&) {
  }
  return 0;
}
