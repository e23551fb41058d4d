// The report's content from one read-only snapshot of the warehouse: each section in its own
// file (report/sections), read in one repeatable-read transaction so the sections agree.
#include "report/build.hpp"

#include "report/sections/sections.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"

namespace dicomlake::report {

Report build(pqxx::connection& db, const Options& options) {
    auto day = parse_iso_date(options.date);
    if (!day) throw ConfigError("report date is not a date of the form YYYY-MM-DD; give --date like 2025-06-01");
    if (options.days < 1) throw ConfigError("report days must be at least 1; give --days like 90");

    Report report;
    report.date = options.date;
    report.days = options.days;
    report.first_day = format_iso_date(*day - options.days + 1);
    report.generated_at = options.generated_at;
    report.version = options.version;

    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(db, "report");
    sections::Context context{tx, options, report.first_day};
    for (auto section : {sections::last_night, sections::mr, sections::ct, sections::mammo_fluoro,
                         sections::utilization, sections::quality})
        report.sections.push_back(section(context));
    tx.commit();
    return report;
}

}  // namespace dicomlake::report
