// dicomlake: parse the command line, resolve the settings, dispatch. Nothing else.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "cli/config.hpp"
#include "cli/options.hpp"
#include "command/command.hpp"
#include "dicomlake/exit_codes.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/redact.hpp"
#include "util/signals.hpp"

namespace {

std::string footer() {
    std::string s =
        "Settings come from, in this order of precedence: command-line flag, environment variable\n"
        "(DICOMLAKE_ + the flag name in capitals, e.g. DICOMLAKE_PACS_URL), configuration file\n"
        "(--config or DICOMLAKE_CONFIG, default /etc/dicomlake/dicomlake.toml when present), default.\n"
        "Secrets (pacs-password, pacs-token, key, report-smtp-password) are refused as flags: use the\n"
        "environment, NAME_FILE variables, --NAME-file or the file; files holding secrets must have mode\n"
        "600. Credentials inside pacs-url, db-url or report-smtp-url are refused from everywhere.\n"
        "`dicomlake check` shows every effective setting and its origin.\n\n"
        "Typical use:\n"
        "  dicomlake keygen > /etc/dicomlake/key && chmod 600 /etc/dicomlake/key\n"
        "  dicomlake migrate                                  # create or upgrade the warehouse schema\n"
        "  dicomlake backfill --from 2024-01-01 --to 2024-12-31\n"
        "  dicomlake import /srv/export                       # exported files instead of a PACS\n"
        "  dicomlake run --report                             # nightly, from cron or a systemd timer\n"
        "  dicomlake status                                   # what happened last night\n"
        "  dicomlake report --out /var/lib/dicomlake/report   # the daily report as files (--mail to send it)\n"
        "  dicomlake reanonymize --studies uids.txt           # after a profile change or a leak\n\n"
        "Exit codes:\n";
    for (const auto& e : dicomlake::kExitCodes) {
        char line[160];
        std::snprintf(line, sizeof line, "  %d  %-9s %s\n", static_cast<int>(e.code), e.name, e.meaning);
        s += line;
    }
    return s;
}

}  // namespace

// Blocks of 1 MiB and more (answer bodies, parsed documents, a large series' JSON) are mapped
// for themselves and given back to the system when freed. glibc's default threshold grows with
// the largest block freed, after which such blocks stay in the heap: a backfill's resident memory
// then kept the high-water mark of its largest study (fast-PACS benchmark: peak RSS 290 -> 210
// MiB, CPU +6 %).
static void give_large_blocks_back() { mallopt(M_MMAP_THRESHOLD, 1 << 20); }

int main(int argc, char** argv) {
    using namespace dicomlake;
    give_large_blocks_back();
    CLI::App app{"dicomlake " DICOMLAKE_VERSION
                 ": DICOM metadata from a PACS (DICOMweb or DIMSE) or DICOM files into a PostgreSQL warehouse, de-identified, and a daily "
                 "report from it."};
    app.footer(footer());
    app.require_subcommand(1);
    app.fallthrough();
    app.set_version_flag("--version", DICOMLAKE_VERSION);

    std::string config_path;
    app.add_option("--config", config_path, "configuration file (TOML); also DICOMLAKE_CONFIG")
        ->option_text("PATH")
        ->group("General");
    std::map<std::string, std::string> storage;
    std::map<std::string, CLI::Option*> declared;
    for (const auto& spec : cli::option_specs()) {
        std::string help = std::string(spec.help) + " [" + spec.file_key + ", " + cli::env_name(spec);
        if (spec.default_value != nullptr && *spec.default_value != '\0')
            help += ", default " + std::string(spec.default_value);
        help += "]";
        declared[spec.name] = app.add_option("--" + std::string(spec.name), storage[spec.name], help)
                                  ->option_text(spec.value_name)
                                  ->group(spec.group);
        if (spec.sensitivity == cli::Sensitivity::secret) {
            std::string name = cli::flag_file_name(spec);
            declared[name] = app.add_option("--" + name, storage[name],
                                            "file holding " + std::string(spec.name) + " [" +
                                                cli::file_key_file(spec) + ", " + cli::env_file_name(spec) + "]")
                                 ->option_text("PATH")
                                 ->group(spec.group);
        }
    }

    auto* migrate = app.add_subcommand("migrate", "create or upgrade the warehouse schema (idempotent)");
    std::string from, to;
    auto* backfill = app.add_subcommand(
        "backfill", "extract every study whose StudyDate lies in a date range (history, or a re-load)");
    backfill->add_option("--from", from, "first StudyDate, YYYY-MM-DD");
    backfill->add_option("--to", to, "last StudyDate, YYYY-MM-DD (inclusive)");
    bool force = false;
    backfill->add_flag("--force", force, "re-write studies that are already loaded and unchanged");
    std::string accessions_file;
    backfill->add_option("--accessions", accessions_file,
                         "instead of dates: a file of AccessionNumbers (a RIS export), one per line; the ones that "
                         "match no study are reported by line")
        ->option_text("FILE");
    bool dry_run = false;
    backfill->add_flag("--dry-run", dry_run, "list what would be fetched, with counts per day; fetch and write nothing");
    std::vector<std::string> import_paths;
    auto* import = app.add_subcommand(
        "import", "load exported DICOM files (Part 10 and DICOM JSON) like a backfill: same de-identification, "
                  "same ledger, unchanged studies skipped");
    import->add_option("PATH", import_paths, "files and folders (folders are read recursively)")->required();
    import->add_flag("--force", force, "re-write studies that are already loaded and unchanged");
    import->add_flag("--dry-run", dry_run, "scan and count studies per StudyDate; write nothing");
    std::string import_source;
    import->add_option("--source-name", import_source,
                       "what study rows and the run record as their source (default: files:<the first PATH, "
                       "absolute>); give one when the path itself says something about a patient");
    import->footer(
        "What is read: every file under the paths, whatever its extension (DICOMDIR aside): Part 10 files\n"
        "(or bare datasets) up to PixelData, and .json files holding DICOM JSON (one instance object or an\n"
        "array of them). Instances are grouped into studies by StudyInstanceUID; a copy of an instance\n"
        "already read (same SOPInstanceUID) is left out.\n"
        "What is never read: pixel data, and every other bulk value (OB, OW, OF, OD, OL, OV, and UN values\n"
        "of tags the dictionary does not know). Text is converted to UTF-8 from the Specific Character Set.\n"
        "Everything then goes through the same de-identification as a backfill: nothing from the files is\n"
        "stored as it is unless the profile keeps it.\n"
        "Files that are not DICOM are never fatal: the summary at the end counts them and names them by\n"
        "path. The paths of files appear only in that summary (never in the log or the warehouse); study\n"
        "rows record their source as files:<the first PATH, absolute>, or --source-name.\n"
        "Running the same import again skips the studies already loaded and unchanged (--force re-writes\n"
        "them). Exit codes are those of backfill.");
    auto* run = app.add_subcommand(
        "run", "the nightly job: from the last run's window end (minus overlap-days) to today; first run: "
               "yesterday and today; retries studies that failed before");
    run->add_flag("--dry-run", dry_run, "show the window and what would be fetched; fetch and write nothing");
    bool run_report = false;
    run->add_flag("--report", run_report,
                  "after a successful or partial run, make yesterday's report: into report-out-dir/<day> and/or "
                  "mailed to report-to (exit code 8 when the mail fails; the load is kept)");
    command::ReportRequest report_request;
    report_request.date = today_plus(-1);
    auto* report = app.add_subcommand(
        "report", "the daily report from the warehouse's views: index.html (charts, no script, printable), one CSV "
                  "per table and report.xlsx, and/or a mail with the key charts and both files attached");
    report->add_option("--date", report_request.date, "the report day, YYYY-MM-DD (default: yesterday)")
        ->option_text("DAY");
    report->add_option("--days", report_request.days, "days of context for the trends")->capture_default_str();
    report->add_option("--out", report_request.out_dir, "write index.html, the CSVs and report.xlsx into DIR")
        ->option_text("DIR");
    report->add_flag("--mail", report_request.mail,
                     "send it by SMTP to report-to (settings report-smtp-url, report-from...; exit code 8 when it "
                     "cannot be delivered)");
    auto* check = app.add_subcommand(
        "check", "show every effective setting and where it came from, then test the PACS and the database");
    int status_limit = 10;
    auto* status = app.add_subcommand("status", "recent runs, the nightly watermark, failed studies and why");
    status->add_option("--limit", status_limit, "how many runs and failed studies to show")->capture_default_str();
    std::string studies_file, by = "uid";
    auto* reanonymize = app.add_subcommand(
        "reanonymize",
        "fetch the listed studies again and replace their rows under the current profile and key (after a "
        "profile change, a leak, or a key rotation: older keys come from previous-keys)");
    reanonymize->add_option("--studies", studies_file, "file with one StudyInstanceUID (or AccessionNumber) per line")
        ->required();
    reanonymize->add_option("--by", by, "what the file lists: uid or accession")->capture_default_str();
    auto* keygen = app.add_subcommand("keygen", "print a new random pseudonymization key (store it with mode 600)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 quotes what it did not expect, which may be a URL with a password in it.
        std::ostringstream out, err;
        int rc = app.exit(e, out, err);
        std::fputs(out.str().c_str(), stdout);
        std::fputs(redact(err.str()).c_str(), stderr);
        return rc == 0 ? 0 : static_cast<int>(ExitCode::config);
    }

    try {
        if (keygen->parsed()) return command::keygen();
        std::map<std::string, std::string> flags;
        for (const auto& [name, opt] : declared)
            if (opt->count() > 0) flags[name] = storage[name];
        if (config_path.empty()) {
            const char* env = std::getenv("DICOMLAKE_CONFIG");
            if (env != nullptr) config_path = env;
        }
        auto settings = cli::Settings::resolve(flags, config_path, [](const char* n) { return std::getenv(n); });
        auto config = cli::build_config(settings);
        cli::register_secrets(config);
        setup_logging(config.log_level, config.log_format);
        // Warnings about how the PACS is reached, only for the commands that reach it.
        const bool contacts_pacs = backfill->parsed() || run->parsed() || check->parsed() || reanonymize->parsed();
        if (auto warning = cli::insecure_auth_warning(config); contacts_pacs && !warning.empty())
            spdlog::warn("{}", warning);
        if (contacts_pacs && !config.pacs_verify_tls)
            spdlog::warn("PACS certificate verification is OFF (pacs-verify-tls=false): anyone on the network path "
                         "can impersonate the PACS. Use it only for testing; set pacs-ca-file for a hospital CA");
        install_stop_handlers();
        if (migrate->parsed()) return command::migrate(config);
        if (backfill->parsed()) return command::backfill(config, from, to, dry_run, accessions_file, force);
        if (import->parsed()) return command::import(config, import_paths, dry_run, force, import_source);
        if (run->parsed()) return command::run(config, dry_run, run_report);
        if (report->parsed()) return command::report(config, report_request);
        if (check->parsed()) return command::check(settings, config);
        if (status->parsed()) return command::status(config, status_limit);
        if (reanonymize->parsed()) return command::reanonymize(config, studies_file, by);
    } catch (const Error& e) {
        std::fprintf(stderr, "dicomlake: %s\n", redact(e.what()).c_str());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dicomlake: unexpected error: %s\n(please report this with the log above)\n",
                     redact(e.what()).c_str());
        return static_cast<int>(ExitCode::internal);
    }
    return static_cast<int>(ExitCode::internal);
}
