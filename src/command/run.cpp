#include <spdlog/spdlog.h>

#include <optional>

#include "command/command.hpp"
#include "command/extract_common.hpp"
#include "util/error.hpp"
#include "util/dates.hpp"
#include "warehouse/database.hpp"
#include "warehouse/ledger.hpp"

namespace dicomlake::command {

int run(const cli::Config& config, bool dry_run, bool with_report) {
    cli::require_database(config);
    // A report that cannot go anywhere is a configuration error found before the night's work.
    std::optional<ReportRequest> nightly;
    if (with_report && !dry_run) nightly = nightly_report(config);
    std::string to = today_plus(0);
    std::string from = today_plus(-1);  // first run: yesterday and today
    {
        warehouse::Database db(config.db_url);
        db.require_current_schema();
        warehouse::Ledger ledger(db);
        if (auto mark = ledger.watermark(source_name(config))) {
            from = add_days(*mark, -config.overlap_days);
            spdlog::info("last run covered up to {}; starting {} day(s) earlier", *mark, config.overlap_days);
        } else {
            spdlog::info("first nightly run: extracting yesterday and today");
        }
    }
    if (*parse_iso_date(from) > *parse_iso_date(to)) from = to;  // a watermark in the future (clock change)
    pipeline::ExtractRequest request;
    request.command = "run";
    request.window_from = from;
    request.window_to = to;
    request.days = days_between(from, to);
    request.retry_failed = true;
    request.dry_run = dry_run;
    int code = extract_and_report(config, request);
    if (!nightly) return code;
    if (code != static_cast<int>(ExitCode::ok) && code != static_cast<int>(ExitCode::partial)) {
        spdlog::warn("no report: the run ended with exit code {} (see dicomlake status)", code);
        return code;
    }
    // The load is committed whatever happens to the report; a mail failure says so with its own code.
    int mailed = report(config, *nightly);
    return mailed != 0 ? mailed : code;
}

}  // namespace dicomlake::command
