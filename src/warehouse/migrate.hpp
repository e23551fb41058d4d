// `dicomlake migrate`: applies the numbered migrations of sql/migrations (embedded in the
// binary) that the warehouse lacks, each recorded in dicomlake.schema_version. Idempotent.
#pragma once

#include <string>
#include <vector>

#include "warehouse/database.hpp"

namespace dicomlake::warehouse {

struct MigrationReport {
    int from_version = 0;
    int to_version = 0;
    std::vector<std::string> applied;        // "0002_ledger"
    std::vector<std::string> changed_since;  // applied migrations whose text differs from this binary's
};

MigrationReport migrate(Database& db);

}  // namespace dicomlake::warehouse
