// The binary's contract with cron/systemd users: exit codes, `check`, the nightly `run`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "deid/pseudonym.hpp"
#include "warehouse/ledger.hpp"
#include "fault_proxy.hpp"
#include "harness.hpp"
#include "util/dates.hpp"

namespace dicomlake::testing {
namespace {

std::string fresh_database(const std::string& name) { return Lab::instance().fresh_database(name); }

TEST(ExitCodes, WrongPacsPasswordIsExitCode4) {
    Lab& lab = Lab::instance();
    std::string db = fresh_database("exitcodes");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    auto r = lab.dicomlake("backfill --from 2026-01-01 --to 2026-01-01",
                           {{"DICOMLAKE_DB_URL", db},
                            {"DICOMLAKE_PACS_PASSWORD_FILE", ""},
                            {"DICOMLAKE_PACS_PASSWORD", "not-the-password"}});
    EXPECT_EQ(r.exit_code, 4) << r.output;
    EXPECT_NE(r.output.find("refused the credentials"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("not-the-password"), std::string::npos) << "a secret was printed";
}

TEST(ExitCodes, UnreachablePacsIsExitCode4) {
    Lab& lab = Lab::instance();
    std::string db = fresh_database("exitcodes2");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    auto r = lab.dicomlake("backfill --from 2026-01-01 --to 2026-01-01 --pacs-retries 0",
                           {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", "http://127.0.0.1:1/dicom-web"}});
    EXPECT_EQ(r.exit_code, 4) << r.output;
    EXPECT_NE(r.output.find("cannot reach the PACS"), std::string::npos) << r.output;
}

TEST(ExitCodes, UnreachableDatabaseIsExitCode5) {
    auto r = Lab::instance().dicomlake("backfill --from 2026-01-01 --to 2026-01-01",
                                       {{"DICOMLAKE_DB_URL", "postgresql://dicomlake@127.0.0.1:1/dicomlake"}});
    EXPECT_EQ(r.exit_code, 5) << r.output;
    EXPECT_NE(r.output.find("cannot connect to PostgreSQL"), std::string::npos) << r.output;
}

TEST(ExitCodes, ConfigurationErrorsAreExitCode2WithAdvice) {
    Lab& lab = Lab::instance();
    auto no_key = lab.dicomlake("backfill --from 2026-01-01 --to 2026-01-01", {{"DICOMLAKE_KEY_FILE", ""}});
    EXPECT_EQ(no_key.exit_code, 2) << no_key.output;
    EXPECT_NE(no_key.output.find("dicomlake keygen"), std::string::npos) << no_key.output;

    auto bad_date = lab.dicomlake("backfill --from 2026-02-30 --to 2026-03-01");
    EXPECT_EQ(bad_date.exit_code, 2) << bad_date.output;
    EXPECT_NE(bad_date.output.find("2026-02-30"), std::string::npos);

    auto secret_flag = lab.dicomlake("check --pacs-password hunter2");
    EXPECT_EQ(secret_flag.exit_code, 2) << secret_flag.output;
    EXPECT_NE(secret_flag.output.find("DICOMLAKE_PACS_PASSWORD_FILE"), std::string::npos);

    auto unknown = lab.dicomlake("backfill --form 2026-01-01 --to 2026-01-02");
    EXPECT_EQ(unknown.exit_code, 2) << unknown.output;

    std::string db = fresh_database("unmigrated");
    auto unmigrated = lab.dicomlake("backfill --from 2026-01-01 --to 2026-01-01", {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(unmigrated.exit_code, 2) << unmigrated.output;
    EXPECT_NE(unmigrated.output.find("dicomlake migrate"), std::string::npos) << unmigrated.output;
}

TEST(Check, ShowsEverySettingWithItsOriginAndMasksSecrets) {
    Lab& lab = Lab::instance();
    std::string config = lab.dir() + "/check.toml";
    {
        std::ofstream out(config);
        out << "# test configuration\n[pacs]\npage_size = 50\nretries = 1\n\n[log]\nlevel = \"warn\"\n";
    }
    auto r = lab.dicomlake("check --pacs-concurrency 2 --config " + shell_quote(config),
                           {{"DICOMLAKE_PACS_RETRIES", "2"}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto line_of = [&](const std::string& name) {
        auto pos = r.output.find("\n" + name + " ");
        if (pos == std::string::npos) return std::string();
        auto end = r.output.find('\n', pos + 1);
        return r.output.substr(pos + 1, end - pos - 1);
    };
    EXPECT_NE(line_of("pacs-concurrency").find("--pacs-concurrency"), std::string::npos) << r.output;
    EXPECT_NE(line_of("pacs-page-size").find(config + ":3"), std::string::npos) << r.output;
    EXPECT_NE(line_of("pacs-retries").find("DICOMLAKE_PACS_RETRIES"), std::string::npos) << "env beats file";
    EXPECT_NE(line_of("log-level").find(config + ":7"), std::string::npos) << r.output;
    EXPECT_NE(line_of("pacs-url").find("DICOMLAKE_PACS_URL"), std::string::npos) << r.output;
    EXPECT_NE(line_of("batch-studies").find("default"), std::string::npos) << r.output;
    EXPECT_NE(line_of("pacs-password").find("***"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find(lab.orthanc_password()), std::string::npos) << "the PACS password was printed";
    EXPECT_EQ(r.output.find(lab.key()), std::string::npos) << "the key was printed";
    EXPECT_NE(r.output.find("PACS:     ok"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("database: ok"), std::string::npos) << r.output;
}

// The nightly job on its own warehouse: first run window, watermark, retry of failures.
TEST(Nightly, FirstRunThenRetryOfAFailedStudy) {
    Lab& lab = Lab::instance();
    std::string db = fresh_database("nightly");
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);

    std::string today = today_plus(0), yesterday = today_plus(-1);
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/nightly", "--seed 11 --scanners 4 --studies 6 --fail-studies 1 --from " + yesterday +
                                    " --to " + today)));
    lab.seed({lab.dir() + "/nightly/dicom"}, false);
    deid::Pseudonymizer pseudo(lab.key(), 1);

    auto first = lab.dicomlake("run", env);
    EXPECT_EQ(first.exit_code, 3) << first.output;  // the planted failure
    EXPECT_NE(first.output.find("first nightly run"), std::string::npos) << first.output;

    pqxx::connection c(db);
    {
        pqxx::work tx(c);
        auto run = tx.exec1("SELECT window_from::text, window_to::text, outcome, studies_found FROM dicomlake.run");
        EXPECT_EQ(run[0].as<std::string>(), yesterday);
        EXPECT_EQ(run[1].as<std::string>(), today);
        EXPECT_EQ(run[2].as<std::string>(), "partial");
        EXPECT_EQ(run[3].as<long>(), static_cast<long>(truth["studies"].size()));
        long loaded = tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<long>();
        EXPECT_EQ(loaded, static_cast<long>(truth["studies"].size()) - 1);
    }

    auto second = lab.dicomlake("run", env);
    EXPECT_EQ(second.exit_code, 3) << second.output;
    EXPECT_NE(second.output.find("starting 1 day(s) earlier"), std::string::npos) << second.output;
    pqxx::work tx(c);
    auto run = tx.exec1(
        "SELECT window_from::text, studies_unchanged, studies_loaded FROM dicomlake.run ORDER BY run_id DESC LIMIT 1");
    EXPECT_EQ(run[0].as<std::string>(), add_days(today, -1));  // watermark (today) minus the overlap
    EXPECT_EQ(run[1].as<long>(), static_cast<long>(truth["studies"].size()) - 1);
    EXPECT_EQ(run[2].as<long>(), 0);
    for (const auto& study : truth["studies"]) {
        if (!study["fails"].get<bool>()) continue;
        auto st = tx.exec1("SELECT attempts, state FROM dicomlake.study_status WHERE ledger_key = '" +
                           warehouse::ledger_key(pseudo, pseudo.uid(study["study_uid"].get<std::string>())) + "'");
        EXPECT_EQ(st[0].as<int>(), 2);
        EXPECT_EQ(st[1].as<std::string>(), "failed");
    }

    auto status = lab.dicomlake("status", env);
    EXPECT_EQ(status.exit_code, 0) << status.output;
    EXPECT_NE(status.output.find("nightly watermark: " + today), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("failed studies: 1"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("not_found"), std::string::npos) << status.output;
}

// A failed study whose day lies outside the nightly window is still retried by `run`.
TEST(Nightly, RunRetriesFailuresFromEarlierBackfills) {
    Lab& lab = Lab::instance();
    std::string db = fresh_database("retry");
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_MAX_ATTEMPTS", "2"}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    auto truth = nlohmann::json::parse(read_file(
        generate_fleet(lab.dir() + "/retry", "--seed 12 --scanners 4 --studies 3 --fail-studies 1 --from "
                                             "2025-03-03 --to 2025-03-03")));
    lab.seed({lab.dir() + "/retry/dicom"}, false);
    EXPECT_EQ(lab.dicomlake("backfill --from 2025-03-03 --to 2025-03-03", env).exit_code, 3);
    auto run = lab.dicomlake("run", env);
    EXPECT_NE(run.output.find("retrying 1 earlier failed"), std::string::npos) << run.output;
    EXPECT_EQ(run.exit_code, 3) << run.output;
    // max-attempts 2 reached: the third run leaves it for a person.
    auto third = lab.dicomlake("run", env);
    EXPECT_EQ(third.output.find("retrying"), std::string::npos) << third.output;
    deid::Pseudonymizer pseudo(lab.key(), 1);
    pqxx::connection c(db);
    pqxx::work tx(c);
    for (const auto& study : truth["studies"]) {
        if (!study["fails"].get<bool>()) continue;
        auto st = tx.exec1("SELECT attempts FROM dicomlake.study_status WHERE ledger_key = '" +
                           warehouse::ledger_key(pseudo, pseudo.uid(study["study_uid"].get<std::string>())) + "'");
        EXPECT_EQ(st[0].as<int>(), 2);
    }
    auto status = lab.dicomlake("status", env);
    EXPECT_NE(status.output.find("given up"), std::string::npos) << status.output;
}

}  // namespace
}  // namespace dicomlake::testing

namespace dicomlake::testing {
namespace {

TEST(DryRun, CountsStudiesPerDayAndWritesNothing) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("dryrun");
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/dryrun", "--seed 51 --scanners 4 --studies 7 --from 2025-08-04 --to 2025-08-05")));
    lab.seed({lab.dir() + "/dryrun/dicom"}, false);
    std::map<std::string, int> per_day;
    for (const auto& s : truth["studies"]) per_day[s["study_date"].get<std::string>()]++;

    auto r = lab.dicomlake("backfill --from 2025-08-01 --to 2025-08-10 --dry-run", env);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    for (const auto& [day, n] : per_day) {
        char line[64];
        std::snprintf(line, sizeof line, "%s  %6d", day.c_str(), n);
        EXPECT_NE(r.output.find(line), std::string::npos) << line << " missing in\n" << r.output;
    }
    EXPECT_NE(r.output.find(" 7 studies on " + std::to_string(per_day.size()) + " day(s)"), std::string::npos) << r.output;
    pqxx::connection c(db);
    pqxx::work tx(c);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.run")[0].as<long>(), 0);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<long>(), 0);
}

}  // namespace
}  // namespace dicomlake::testing

namespace dicomlake::testing {
namespace {

TEST(Auth, BearerTokenFromAFileReadAtEveryRun) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("bearer");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    FaultProxy proxy(lab.pacs_origin());
    // (In parentheses: run_shell's own "</dev/null" must not replace the pipe into base64.)
    std::string basic =
        run_shell("(printf %s " + shell_quote("dicomlake:" + lab.orthanc_password()) + " | base64 -w0)").output;
    proxy.require_bearer("tok-123-abc", "Basic " + basic);
    std::string token_file = lab.dir() + "/token";
    auto write_token = [&](const std::string& t) {
        std::ofstream(token_file) << t << "\n";
        chmod(token_file.c_str(), 0600);
    };
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db},
                                              {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"},
                                              {"DICOMLAKE_PACS_USER", ""},
                                              {"DICOMLAKE_PACS_PASSWORD_FILE", ""},
                                              {"DICOMLAKE_PACS_TOKEN_FILE", token_file}};
    write_token("expired-token");
    auto refused = lab.dicomlake("backfill --from 2025-01-06 --to 2025-01-06", env);
    EXPECT_EQ(refused.exit_code, 4) << refused.output;
    EXPECT_EQ(refused.output.find("expired-token"), std::string::npos) << "the token was printed";
    write_token("tok-123-abc");  // refreshed by some other process: the next run uses it
    auto ok = lab.dicomlake("backfill --from 2025-01-06 --to 2025-01-06", env);
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST(Logs, JsonLogLinesAreJsonObjects) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("jsonlogs");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    auto r = lab.dicomlake("backfill --from 2025-01-06 --to 2025-01-07 --log-format json --log-level debug",
                           {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::istringstream lines(r.output);
    std::string line;
    int json_lines = 0;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] != '{') continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << line;
        EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("message")) << line;
        ++json_lines;
    }
    EXPECT_GE(json_lines, 2) << r.output;
}

}  // namespace
}  // namespace dicomlake::testing
