// `dicomlake report` as a user runs it, on the Fleet suite's warehouse: the files it writes, the
// mail a real SMTP server on loopback receives (read back with Python's email package), the exit
// code of a refused delivery, and the configuration errors that come before any work.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "fleet_fixture.hpp"
#include "harness.hpp"
#include "smtp_sink.hpp"

namespace dicomlake::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDay = "2025-06-07";

std::string temp_dir(const char* name) {
    std::string tmpl = "/tmp/dicomlake-" + std::string(name) + "-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
    return tmpl;
}

// Data rows of a CSV whose fields hold no line break (the generated fleet's do not).
size_t csv_rows(const std::string& text) {
    size_t lines = 0;
    for (char c : text) lines += c == '\n';
    return lines == 0 ? 0 : lines - 1;
}

std::map<std::string, std::string> mail_env(const Sink& sink, const std::string& to) {
    return {{"DICOMLAKE_REPORT_SMTP_URL", sink.url()},
            {"DICOMLAKE_REPORT_SMTP_TLS", "optional"},  // the loopback sink offers no STARTTLS
            {"DICOMLAKE_REPORT_FROM", "dicomlake <reports@hospital.example>"},
            {"DICOMLAKE_REPORT_TO", to}};
}

// The MIME tree of a received message as Python's email package sees it, and its leaves in `out`.
std::string mime_tree(const std::string& message, const std::string& out) {
    auto r = run_shell("python3 " + shell_quote(kSmtpSupport + "mimetree.py") + " " + shell_quote(message) + " " +
                       shell_quote(out));
    if (r.exit_code != 0) throw std::runtime_error("mimetree.py failed: " + r.output);
    return read_file(out + "/tree.txt");
}

TEST_F(Fleet, ReportCommandWritesThePageTheCsvsAndTheWorkbook) {
    const std::string dir = temp_dir("report-out");
    auto r = Lab::instance().dicomlake(std::string("report --date ") + kDay + " --days 90 --out " + dir, env());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string page = read_file(dir + "/index.html");
    EXPECT_NE(page.find("<svg"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(read_file(dir + "/report.xlsx").substr(0, 2), "PK") << "an xlsx is a zip";
    // One CSV per planted NEX pair in the outliers table: the generator's truth, not the builder's.
    ASSERT_TRUE(fs::exists(dir + "/mr_nex_outliers.csv"));
    EXPECT_EQ(csv_rows(read_file(dir + "/mr_nex_outliers.csv")), truth_["planted_nex"].size());
    size_t csvs = 0;
    for (const auto& e : fs::directory_iterator(dir)) csvs += e.path().extension() == ".csv";
    EXPECT_GE(csvs, 6u);
    fs::remove_all(dir);
}

TEST_F(Fleet, ReportMailArrivesWithTextHtmlInlineChartsAndBothAttachments) {
    const std::string base = temp_dir("report-mail");
    Sink sink;
    sink.start(base, "sink", {});
    auto r = Lab::instance().dicomlake(std::string("report --date ") + kDay + " --out " + base + "/out --mail",
                                       [&] {
                                           auto e = env();
                                           for (auto& [k, v] : mail_env(sink, "chief@hospital.example")) e[k] = v;
                                           return e;
                                       }());
    sink.stop();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto messages = sink.messages();
    ASSERT_EQ(messages.size(), 1u) << "one message for one recipient list";
    const std::string parts = base + "/parts";
    fs::create_directories(parts);
    const std::string tree = mime_tree(messages[0], parts);
    for (const char* type : {"multipart/mixed", "multipart/related", "multipart/alternative", "text/plain",
                             "text/html", "image/png"})
        EXPECT_NE(tree.find(type), std::string::npos) << type << " missing in\n" << tree;
    EXPECT_NE(tree.find("index.html"), std::string::npos) << tree;
    EXPECT_NE(tree.find("report.xlsx"), std::string::npos) << tree;
    // The attached page is the page written to --out, byte for byte.
    bool page_attached = false;
    for (const auto& e : fs::directory_iterator(parts))
        if (e.path().filename().string().find_first_not_of("0123456789") == std::string::npos)
            page_attached = page_attached || read_file(e.path().string()) == read_file(base + "/out/index.html");
    EXPECT_TRUE(page_attached) << tree;
    EXPECT_NE(read_file(parts + "/headers.txt").find(std::string("dicomlake report ") + kDay), std::string::npos);
    fs::remove_all(base);
}

TEST_F(Fleet, ARefusedReportMailEndsWithExitCodeEightAndKeepsTheFiles) {
    const std::string base = temp_dir("report-refused");
    Sink sink;
    sink.start(base, "sink", {"--refuse"});
    auto e = env();
    for (auto& [k, v] : mail_env(sink, "refuse-me@hospital.example")) e[k] = v;
    auto r = Lab::instance().dicomlake(std::string("report --date ") + kDay + " --out " + base + "/out --mail", e);
    sink.stop();
    EXPECT_EQ(r.exit_code, 8) << r.output;
    EXPECT_NE(r.output.find("550"), std::string::npos) << "the server's answer is named: " << r.output;
    EXPECT_NE(r.output.find("report --date"), std::string::npos) << "and how to send it again: " << r.output;
    EXPECT_TRUE(sink.messages().empty());
    EXPECT_TRUE(fs::exists(base + "/out/index.html")) << "the report itself is kept";
    fs::remove_all(base);
}

TEST_F(Fleet, AReportWithNowhereToGoIsAConfigurationErrorBeforeAnyWork) {
    auto nowhere = Lab::instance().dicomlake(std::string("report --date ") + kDay, env());
    EXPECT_EQ(nowhere.exit_code, 2) << nowhere.output;
    EXPECT_NE(nowhere.output.find("--out"), std::string::npos) << nowhere.output;
    auto no_server = Lab::instance().dicomlake(std::string("report --date ") + kDay + " --mail", env());
    EXPECT_EQ(no_server.exit_code, 2) << no_server.output;
    EXPECT_NE(no_server.output.find("report-smtp-url"), std::string::npos) << no_server.output;
    auto bad_day = Lab::instance().dicomlake("report --date 2025-13-01 --out /tmp/x", env());
    EXPECT_EQ(bad_day.exit_code, 2) << bad_day.output;
    // run --report checks where the report goes before the night's work: nothing is listed.
    long runs_before = std::stol(query("SELECT count(*) FROM dicomlake.run")[0][0].c_str());
    auto run = Lab::instance().dicomlake("run --report", env());
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("report.out_dir"), std::string::npos) << run.output;
    EXPECT_EQ(std::stol(query("SELECT count(*) FROM dicomlake.run")[0][0].c_str()), runs_before);
}

}  // namespace
}  // namespace dicomlake::testing
