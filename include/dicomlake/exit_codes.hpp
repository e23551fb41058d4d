// The exit codes of the dicomlake binary: a stable, documented catalogue (README, --help).
// cron and systemd users act on these numbers; never renumber, only append.
#pragma once

namespace dicomlake {

enum class ExitCode : int {
    ok = 0,               // everything in the window was loaded (or was already current)
    internal = 1,         // a bug or an unexpected condition: please report it
    config = 2,           // bad option, bad configuration file, missing setting
    partial = 3,          // the run finished but some studies (or some days' listings) failed
    pacs_unavailable = 4, // the PACS is unreachable or refuses the credentials
    db_unavailable = 5,   // the PostgreSQL warehouse is unreachable or refuses the credentials
    locked = 6,           // another dicomlake run holds the warehouse lock
    interrupted = 7,      // stopped by SIGINT/SIGTERM; the same command resumes
    mail = 8,             // the report was written but could not be delivered by mail
};

struct ExitCodeInfo {
    ExitCode code;
    const char* name;
    const char* meaning;
};

inline constexpr ExitCodeInfo kExitCodes[] = {
    {ExitCode::ok, "ok", "success: every study in the window was loaded or already current"},
    {ExitCode::internal, "internal", "unexpected error (a bug): see the log and report it"},
    {ExitCode::config, "config", "configuration error: fix the option, file or variable named"},
    {ExitCode::partial, "partial",
     "some studies failed (recorded, see dicomlake status; retried by the next run), or the listing of some days "
     "failed (named in the output: run the same command again)"},
    {ExitCode::pacs_unavailable, "pacs", "PACS unreachable or refusing the credentials"},
    {ExitCode::db_unavailable, "database", "PostgreSQL unreachable or refusing the credentials"},
    {ExitCode::locked, "locked", "another dicomlake run holds the warehouse lock: wait for it (dicomlake status)"},
    {ExitCode::interrupted, "interrupted",
     "stopped by SIGINT/SIGTERM before the end; run the same command again to finish"},
    {ExitCode::mail, "mail",
     "the report was written but the mail could not be delivered after retries (the data load, if any, "
     "is kept): check report.smtp_url and the server's answer in the log, then send it again with dicomlake report --mail"},
};

}  // namespace dicomlake
