#include "command/command.hpp"
#include "command/extract_common.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"

#include <fstream>

namespace dicomlake::command {

int backfill(const cli::Config& config, const std::string& from, const std::string& to, bool dry_run,
             const std::string& accessions_file, bool force) {
    pipeline::ExtractRequest request;
    request.command = "backfill";
    request.force = force;
    if (!accessions_file.empty()) {
        if (!from.empty() || !to.empty())
            throw ConfigError("--accessions replaces --from/--to: give one or the other");
        if (dry_run) throw ConfigError("--dry-run counts studies per day: it does not take --accessions");
        std::ifstream in(accessions_file);
        if (!in) throw ConfigError("cannot read the accession list '" + accessions_file + "'");
        std::string line;
        while (std::getline(in, line)) {
            auto b = line.find_first_not_of(" \t\r");
            auto e = line.find_last_not_of(" \t\r");
            bool skip = b == std::string::npos || line[b] == '#';
            request.accessions.push_back(skip ? std::string() : line.substr(b, e - b + 1));
        }
        request.retry_failed = false;
        return extract_and_report(config, request);
    }
    if (from.empty() || to.empty())
        throw ConfigError("backfill needs --from and --to (YYYY-MM-DD), or --accessions FILE");
    request.window_from = from;
    request.window_to = to;
    request.days = days_between(from, to);
    request.retry_failed = false;  // a backfill does what it is asked; `run` retries failures
    request.dry_run = dry_run;
    return extract_and_report(config, request);
}

}  // namespace dicomlake::command
