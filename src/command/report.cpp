// `dicomlake report`: the fifth stage. Builds the report from the public views, writes the
// page, the CSVs and the workbook, and mails it. A mail problem never touches the warehouse: the
// report is built from what is loaded, and a failed delivery has its own exit code (8).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>

#include <unistd.h>

#include "command/command.hpp"
#include "report/build.hpp"
#include "report/exports.hpp"
#include "report/html.hpp"
#include "report/mail_body.hpp"
#include "report/png.hpp"
#include "sink/mail/message.hpp"
#include "sink/mail/smtp.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"
#include "util/redact.hpp"
#include "warehouse/database.hpp"

namespace dicomlake::command {

namespace {

namespace fs = std::filesystem;

constexpr int kMailChartWidth = 1200;  // drawn at twice the 600 px the mail shows: sharp on HiDPI screens

std::string utc_now(const char* format) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw Error(ExitCode::config, "cannot write " + path.string() + ": check the directory and its space");
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A directory only this user can read, for the files of a mail-only report; removed on exit.
class PrivateDir {
public:
    PrivateDir() {
        std::string pattern = (fs::temp_directory_path() / "dicomlake-report-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            throw Error(ExitCode::config, "cannot create a temporary directory under " +
                                              fs::temp_directory_path().string() + " (set TMPDIR)");
        path_ = pattern;
    }
    ~PrivateDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    PrivateDir(const PrivateDir&) = delete;
    PrivateDir& operator=(const PrivateDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void validate(const ReportRequest& request) {
    if (!parse_iso_date(request.date))
        throw ConfigError("report --date must be a day as YYYY-MM-DD, e.g. " + today_plus(-1));
    if (request.days < 7 || request.days > 3660)
        throw ConfigError("report --days must be between 7 and 3660 (days of context for the trends)");
    if (request.out_dir.empty() && !request.mail)
        throw ConfigError("report: say where it goes: --out DIR (files), --mail (report.to), or both");
}

report::Report build_report(const cli::Config& config, const ReportRequest& request) {
    warehouse::Database db(config.db_url);
    db.require_current_schema();
    report::Options options;
    options.date = request.date;
    options.days = request.days;
    options.max_attempts = config.max_attempts;
    options.version = DICOMLAKE_VERSION;
    options.generated_at = utc_now("%Y-%m-%dT%H:%M:%SZ");
    try {
        return report::build(db.connection(), options);
    } catch (const pqxx::broken_connection& e) {
        warehouse::rethrow_as_database_error(e, "reading the views for the report");
    }
}

// index.html, one CSV per table and report.xlsx in `dir`; returns the page.
std::string write_outputs(const report::Report& r, const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw ConfigError("cannot create the report directory " + dir.string() + ": " + ec.message());
    std::string html = report::to_html(r);
    write_file(dir / "index.html", html);
    auto csvs = report::write_csvs(r, dir);
    report::write_xlsx(r, dir / "report.xlsx");
    spdlog::info("report for {} written to {}: index.html, report.xlsx and {} CSV file(s)", r.date, dir.string(),
                 csvs.size());
    return html;
}

std::map<std::string, std::string> key_chart_pngs(const report::Report& r) {
    std::map<std::string, std::string> out;
    for (const auto& section : r.sections)
        for (const auto& chart : section.charts)
            if (chart.key && section.empty_reason.empty())
                out[chart.id] = report::svg_to_png(report::chart::to_svg(chart.spec), kMailChartWidth);
    return out;
}

sink::mail::Message make_message(const cli::Config& config, const report::Report& r, const std::string& html,
                                 const std::string& xlsx) {
    auto pngs = key_chart_pngs(r);
    auto body = report::mail_body(r, config.report_subject, pngs);
    sink::mail::Message m;
    m.from = config.report_from;
    m.to = config.report_to;
    m.subject = body.subject;
    m.text = body.text;
    m.html = body.html;
    for (const auto& [id, png] : pngs) m.inline_images.push_back({id + ".png", "image/png", id + "@dicomlake", png});
    m.attachments.push_back({"index.html", "text/html; charset=utf-8", "", html});
    m.attachments.push_back(
        {"report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", xlsx});
    return m;
}

// The SMTP settings of the configuration (field names from cli::Config).
sink::mail::SmtpSettings smtp_settings(const cli::Config& config) {
    sink::mail::SmtpSettings s;
    s.url = config.report_smtp_url;
    s.user = config.report_smtp_user;
    s.password = config.report_smtp_password;
    s.require_tls = config.report_smtp_require_tls;
    s.verify_tls = config.report_smtp_verify_tls;
    s.ca_file = config.report_smtp_ca_file;
    return s;
}

int deliver(const cli::Config& config, const sink::mail::Message& message, const std::string& date) {
    std::string id = "dicomlake-report-" + date + "-" + utc_now("%Y%m%dT%H%M%SZ") + "@" + "dicomlake";
    std::string rendered = sink::mail::render(message, utc_now("%a, %d %b %Y %H:%M:%S +0000"), id);
    try {
        sink::mail::send(smtp_settings(config), message.from, message.to, rendered);
    } catch (const sink::mail::MailError& e) {
        spdlog::error("the report could not be mailed: {}", redact(e.what()));
        std::fprintf(stderr,
                     "dicomlake: the report for %s was not delivered: %s\n"
                     "Check report.smtp_url, the credentials and the recipients, then send it again with "
                     "`dicomlake report --date %s --mail`.\n",
                     date.c_str(), redact(e.what()).c_str(), date.c_str());
        return static_cast<int>(ExitCode::mail);
    }
    spdlog::info("report for {} mailed to {} recipient(s), {} bytes", date, message.to.size(), rendered.size());
    return 0;
}

}  // namespace

ReportRequest nightly_report(const cli::Config& config) {
    ReportRequest r;
    r.date = today_plus(-1);
    if (!config.report_out_dir.empty()) r.out_dir = (fs::path(config.report_out_dir) / r.date).string();
    r.mail = !config.report_to.empty();
    if (r.out_dir.empty() && !r.mail)
        throw ConfigError("run --report: say where the report goes: report.out_dir (files, one folder per day), "
                          "report.to (mail), or both");
    if (r.mail) cli::require_mail(config);
    return r;
}

int report(const cli::Config& config, const ReportRequest& request) {
    validate(request);
    cli::require_database(config);
    if (request.mail) cli::require_mail(config);
    auto r = build_report(config, request);
    if (!request.mail) {
        write_outputs(r, request.out_dir);
        return 0;
    }
    // The mail needs the page and the workbook as files' bytes: written where asked, or in a
    // private temporary directory removed afterwards.
    std::optional<PrivateDir> scratch;
    fs::path dir = request.out_dir;
    if (dir.empty()) dir = scratch.emplace().path();
    std::string html = write_outputs(r, dir);
    return deliver(config, make_message(config, r, html, read_file(dir / "report.xlsx")), r.date);
}

}  // namespace dicomlake::command
