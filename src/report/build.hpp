// The report's content, read from the public views (and the ledger for run health) of one
// warehouse. Knows SQL and the analyses; knows nothing of output formats.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "report/model.hpp"

namespace dicomlake::report {

struct Options {
    std::string date;        // the report day, ISO (the command defaults it to yesterday)
    int days = 90;           // days of context for trends
    int max_attempts = 5;    // run.max_attempts: failed studies at this many attempts wait for a person
    std::string version;
    std::string generated_at;
};

Report build(pqxx::connection& db, const Options& options);

}  // namespace dicomlake::report
