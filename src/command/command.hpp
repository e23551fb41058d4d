// One function per subcommand; main.cpp only parses and dispatches. Each returns the exit code.
#pragma once

#include <string>

#include "cli/config.hpp"
#include "cli/options.hpp"

namespace dicomlake::command {

int migrate(const cli::Config& config);
int backfill(const cli::Config& config, const std::string& from, const std::string& to, bool dry_run,
             const std::string& accessions_file, bool force);
int run(const cli::Config& config, bool dry_run);
int check(const cli::Settings& settings, const cli::Config& config);
int status(const cli::Config& config, int limit);
int keygen();
int reanonymize(const cli::Config& config, const std::string& list_file, const std::string& by);

}  // namespace dicomlake::command
