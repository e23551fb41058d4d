#pragma once

#include <string>

namespace dicomlake {

// Logs go to stderr (the journal under systemd, the mail under cron); results go to stdout.
// `format`: "text" for people and the journal, "json" (one object per line) for log shippers.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace dicomlake
