#include "command/command.hpp"
#include "command/extract_common.hpp"
#include "util/dates.hpp"

namespace dicomlake::command {

int backfill(const cli::Config& config, const std::string& from, const std::string& to, bool dry_run) {
    pipeline::ExtractRequest request;
    request.command = "backfill";
    request.window_from = from;
    request.window_to = to;
    request.days = days_between(from, to);
    request.retry_failed = false;  // a backfill does what it is asked; `run` retries failures
    request.dry_run = dry_run;
    return extract_and_report(config, request);
}

}  // namespace dicomlake::command
