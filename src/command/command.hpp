// One function per subcommand; main.cpp only parses and dispatches. Each returns the exit code.
#pragma once

#include <string>
#include <vector>

#include "cli/config.hpp"
#include "cli/options.hpp"

namespace dicomlake::command {

int migrate(const cli::Config& config);
int backfill(const cli::Config& config, const std::string& from, const std::string& to, bool dry_run,
             const std::string& accessions_file, bool force);
int run(const cli::Config& config, bool dry_run, bool with_report);
// Loads the DICOM files under `paths` (Part 10 and DICOM JSON, headers only) like a backfill.
int import(const cli::Config& config, const std::vector<std::string>& paths, bool dry_run, bool force);
int check(const cli::Settings& settings, const cli::Config& config);
int status(const cli::Config& config, int limit);
int keygen();

struct ReportRequest {
    std::string date;     // the report day, YYYY-MM-DD
    int days = 90;        // days of context for the trends
    std::string out_dir;  // empty: no files kept
    bool mail = false;
};
int report(const cli::Config& config, const ReportRequest& request);
// What `run --report` makes after the load: yesterday's report, into report.out_dir/<day> and/or
// mailed when report.to is set. Throws ConfigError when neither is configured.
ReportRequest nightly_report(const cli::Config& config);
int reanonymize(const cli::Config& config, const std::string& list_file, const std::string& by);

}  // namespace dicomlake::command
