#include <cstdio>

#include "command/command.hpp"
#include "warehouse/database.hpp"
#include "warehouse/ledger.hpp"

namespace dicomlake::command {

int status(const cli::Config& config, int limit) {
    cli::require_database(config);
    warehouse::Database db(config.db_url);
    db.require_current_schema();
    warehouse::Ledger ledger(db);
    auto marks = ledger.watermarks();
    if (marks.empty()) std::printf("nightly watermark: (no nightly run yet)\n");
    for (const auto& [source, mark] : marks)
        std::printf("nightly watermark: %s%s\n", mark.c_str(),
                    source.empty() ? "" : ("  (" + source + ")").c_str());
    std::printf("\n");

    db.with_transaction([&](pqxx::work& tx) {
        auto runs = tx.exec_params(
            "SELECT run_id, command, coalesce(window_from::text, ''), coalesce(window_to::text, ''),"
            " to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'),"
            " coalesce(to_char(finished_at - started_at, 'HH24:MI:SS'), '-'), outcome, studies_found,"
            " studies_loaded, studies_unchanged, studies_failed, coalesce(message, ''), coalesce(source, '')"
            " FROM dicomlake.run ORDER BY run_id DESC LIMIT $1",
            limit);
        std::printf("recent runs:\n%-6s %-9s %-23s %-19s %-8s %-8s %6s %6s %6s %6s  %s\n", "run", "command",
                    "window", "started", "took", "outcome", "found", "loaded", "same", "failed", "source");
        for (const auto& r : runs) {
            std::string window = r[2].as<std::string>() + ".." + r[3].as<std::string>();
            std::printf("%-6ld %-9s %-23s %-19s %-8s %-8s %6ld %6ld %6ld %6ld  %s\n", r[0].as<long>(),
                        r[1].c_str(), window.c_str(), r[4].c_str(), r[5].c_str(), r[6].c_str(), r[7].as<long>(),
                        r[8].as<long>(), r[9].as<long>(), r[10].as<long>(), r[12].c_str());
            if (!r[11].as<std::string>().empty()) std::printf("       %s\n", r[11].c_str());
        }
        // Failed studies by ledger pseudonym, without a date: their real day is kept only sealed,
        // and a shifted one would say nothing useful here.
        auto failed = tx.exec_params(
            "SELECT ledger_key, attempts, coalesce(reason, '')"
            " FROM dicomlake.study_status WHERE state = 'failed' ORDER BY updated_at DESC LIMIT $1",
            limit);
        auto total = tx.exec1("SELECT count(*) FROM dicomlake.study_status WHERE state = 'failed'")[0].as<long>();
        std::printf("\nfailed studies: %ld (retried by `run` until %d attempts)\n", total, config.max_attempts);
        for (const auto& f : failed)
            std::printf("  %s  attempts %d%s\n    %s\n", f[0].c_str(), f[1].as<int>(),
                        f[1].as<int>() >= config.max_attempts ? " (given up: needs a person)" : "", f[2].c_str());
    });
    return 0;
}

}  // namespace dicomlake::command
