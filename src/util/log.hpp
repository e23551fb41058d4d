#pragma once

#include <string>

namespace dicomlake {

// Logs go to stderr (the journal under systemd, the mail under cron); results go to stdout.
void setup_logging(const std::string& level);

}  // namespace dicomlake
