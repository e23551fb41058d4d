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
    long reader_views = 0;                   // views granted to the reader role
    std::string reader_warning;              // why the reader role could not be set up, and what to run
};

// The role BI tools log in through (granted to a login role): USAGE on the schema and SELECT on
// the public views (v_*) only, never a table, the ledger or a sealed column (docs/bi.md).
inline constexpr const char* kReaderRole = "dicomlake_reader";

// Applies the missing migrations, then (re)grants the reader role every public view: later
// migrations add views, so this runs every time. A user who may not create roles still
// migrates; the report then says what a superuser should run.
MigrationReport migrate(Database& db);

}  // namespace dicomlake::warehouse
