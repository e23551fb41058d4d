#include <cstdio>

#include "command/command.hpp"
#include "warehouse/database.hpp"
#include "warehouse/migrate.hpp"

namespace dicomlake::command {

int migrate(const cli::Config& config) {
    cli::require_database(config);
    warehouse::Database db(config.db_url);
    auto r = warehouse::migrate(db);
    for (const auto& m : r.changed_since)
        std::fprintf(stderr,
                     "warning: migration %s was applied from a different text than this dicomlake carries "
                     "(edited after release?)\n",
                     m.c_str());
    if (r.applied.empty()) {
        std::printf("warehouse schema is current (version %d)\n", r.to_version);
    } else {
        for (const auto& m : r.applied) std::printf("applied %s\n", m.c_str());
        std::printf("warehouse schema upgraded from version %d to %d\n", r.from_version, r.to_version);
    }
    if (r.reader_warning.empty())
        std::printf("role %s may read the %ld public views\n", warehouse::kReaderRole, r.reader_views);
    else
        std::fprintf(stderr, "warning: %s\n", r.reader_warning.c_str());
    return 0;
}

}  // namespace dicomlake::command
