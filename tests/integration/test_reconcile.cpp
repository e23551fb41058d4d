// A study deleted from the PACS leaves the warehouse at the next run over its day, found through
// its sealed real date (the warehouse keeps no readable one).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "deid/pseudonym.hpp"
#include "warehouse/ledger.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

// Deletes a study from the PACS through Orthanc's REST API (not DICOMweb), as a PACS
// administrator would.
void delete_from_pacs(Lab& lab, const std::string& study_uid) {
    std::string pacs = lab.pacs_url();
    std::string rest = pacs.substr(0, pacs.rfind("/dicom-web"));
    std::string auth = shell_quote("dicomlake:" + lab.orthanc_password());
    auto found = run_shell("curl -sf -u " + auth + " -X POST --data-binary " + shell_quote(study_uid) + " " +
                           shell_quote(rest + "/tools/lookup"));
    ASSERT_EQ(found.exit_code, 0) << found.output;
    auto ids = nlohmann::json::parse(found.output);
    ASSERT_FALSE(ids.empty());
    for (const auto& id : ids)
        ASSERT_EQ(run_shell("curl -sf -u " + auth + " -X DELETE " +
                            shell_quote(rest + "/studies/" + id["ID"].get<std::string>())).exit_code, 0);
}

TEST(Reconcile, AStudyDeletedFromThePacsIsRemovedByTheNextRunOverItsDay) {
    Lab& lab = Lab::instance();
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/reconcile", "--seed 91 --scanners 4 --studies 5 --from 2025-03-10 --to 2025-03-10")));
    lab.seed({lab.dir() + "/reconcile/dicom"}, false);
    std::string db = lab.fresh_database("reconcile");
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    ASSERT_EQ(lab.dicomlake("backfill --from 2025-03-10 --to 2025-03-10", env).exit_code, 0);

    // The PACS deletes one study.
    std::string uid = truth["studies"][2]["study_uid"].get<std::string>();
    ASSERT_NO_FATAL_FAILURE(delete_from_pacs(lab, uid));

    auto r = lab.dicomlake("backfill --from 2025-03-10 --to 2025-03-10", env);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("1 stud(ies) no longer in the PACS were removed"), std::string::npos) << r.output;
    deid::Pseudonymizer pseudo(lab.key(), 1);
    pqxx::connection c(db);
    pqxx::work tx(c);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<size_t>(), truth["studies"].size() - 1);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM dicomlake.study WHERE study_key = $1", pseudo.uid(uid))[0].as<long>(), 0);
    // Its share of the utilization went with it.
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.activity_contribution")[0].as<size_t>(), truth["studies"].size() - 1);
    EXPECT_EQ(tx.exec1("SELECT sum(studies) FROM dicomlake.activity_weekhour")[0].as<size_t>(), truth["studies"].size() - 1);
    // Each scanner-week is its published days again (the removal reached the week too).
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM (SELECT device_serial, date_trunc('week', day)::date AS week, sum(studies) AS s"
                       " FROM dicomlake.activity_day GROUP BY 1, 2) d FULL JOIN dicomlake.activity_week w"
                       " USING (device_serial, week) WHERE d.s IS DISTINCT FROM w.studies")[0].as<long>(), 0);
    // The ledger keeps no readable real date of a loaded study, and does not name it by study_key.
    auto sealed = tx.exec("SELECT ledger_key, sealed FROM dicomlake.study_status WHERE state = 'loaded'");
    ASSERT_EQ(sealed.size(), truth["studies"].size() - 1);
    for (const auto& row : sealed) {
        std::string text = row[1].as<std::string>();
        EXPECT_EQ(text.find('-'), std::string::npos) << "a readable date: " << text;
        auto entry = warehouse::open_entry(pseudo, text);
        ASSERT_TRUE(entry.has_value());
        EXPECT_EQ(entry->day, "2025-03-10");
        EXPECT_EQ(row[0].as<std::string>(), warehouse::ledger_key(pseudo, entry->study_key));
        EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM dicomlake.study WHERE study_key = $1", row[0].as<std::string>())[0].as<long>(), 0);
    }
}

}  // namespace
}  // namespace dicomlake::testing

namespace dicomlake::testing {
namespace {

TEST(Reconcile, AnInstanceDeletedFromThePacsUpdatesItsSeries) {
    Lab& lab = Lab::instance();
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/reconcile2", "--seed 92 --scanners 4 --studies 2 --from 2025-03-17 --to 2025-03-17")));
    lab.seed({lab.dir() + "/reconcile2/dicom"}, false);
    std::string db = lab.fresh_database("reconcile2");
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    ASSERT_EQ(lab.dicomlake("backfill --from 2025-03-17 --to 2025-03-17", env).exit_code, 0);

    // A series of several instances loses one (Orthanc REST: look up the series, delete an instance).
    std::string series_uid;
    long instances = 0;
    for (const auto& s : truth["studies"][0]["series"])
        if (s["instances"].get<long>() > 1) {
            series_uid = s["series_uid"].get<std::string>();
            instances = s["instances"].get<long>();
            break;
        }
    ASSERT_FALSE(series_uid.empty());
    std::string rest = lab.pacs_origin();
    std::string auth = shell_quote("dicomlake:" + lab.orthanc_password());
    auto found = run_shell("curl -sf -u " + auth + " -X POST --data-binary " + shell_quote(series_uid) + " " +
                           shell_quote(rest + "/tools/lookup"));
    ASSERT_EQ(found.exit_code, 0) << found.output;
    std::string series_id = nlohmann::json::parse(found.output)[0]["ID"].get<std::string>();
    auto series = nlohmann::json::parse(run_shell("curl -sf -u " + auth + " " + shell_quote(rest + "/series/" + series_id)).output);
    std::string instance_id = series["Instances"][0].get<std::string>();
    ASSERT_EQ(run_shell("curl -sf -u " + auth + " -X DELETE " + shell_quote(rest + "/instances/" + instance_id)).exit_code, 0);

    auto r = lab.dicomlake("backfill --from 2025-03-17 --to 2025-03-17", env);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("1 loaded"), std::string::npos) << "the changed study is re-loaded:\n" << r.output;
    deid::Pseudonymizer pseudo(lab.key(), 1);
    pqxx::connection c(db);
    pqxx::work tx(c);
    auto row = tx.exec_params1("SELECT instances FROM dicomlake.series WHERE series_key = $1", pseudo.uid(series_uid));
    EXPECT_EQ(row[0].as<long>(), instances - 1);
}

// One warehouse, two named sources over the same days: a run of one source never removes the
// other's studies, and each keeps its own runs (status names them).
TEST(Reconcile, ASourceRemovesOnlyItsOwnStudies) {
    Lab& lab = Lab::instance();
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/reconcile3", "--seed 93 --scanners 2 --studies 3 --from 2025-03-24 --to 2025-03-24")));
    lab.seed({lab.dir() + "/reconcile3/dicom"}, false);
    std::string db = lab.fresh_database("reconcile3");
    std::map<std::string, std::string> site_a = {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_NAME", "site-a"}};
    std::map<std::string, std::string> site_b = {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_NAME", "site-b"}};
    ASSERT_EQ(lab.dicomlake("migrate", site_a).exit_code, 0);
    ASSERT_EQ(lab.dicomlake("backfill --from 2025-03-24 --to 2025-03-24", site_a).exit_code, 0);

    std::string uid = truth["studies"][1]["study_uid"].get<std::string>();
    ASSERT_NO_FATAL_FAILURE(delete_from_pacs(lab, uid));

    // site-b lists the day without the deleted study: not its study, not removed.
    auto b = lab.dicomlake("backfill --from 2025-03-24 --to 2025-03-24", site_b);
    EXPECT_EQ(b.exit_code, 0) << b.output;
    pqxx::connection c(db);
    auto count = [&](const std::string& sql) {
        pqxx::work tx(c);
        return tx.exec1(sql)[0].as<long>();
    };
    EXPECT_EQ(count("SELECT count(*) FROM dicomlake.study"), 3);
    EXPECT_EQ(count("SELECT count(*) FROM dicomlake.study WHERE source = 'site-a'"), 3);
    // site-a's own next run removes it.
    auto a = lab.dicomlake("backfill --from 2025-03-24 --to 2025-03-24", site_a);
    EXPECT_EQ(a.exit_code, 0) << a.output;
    EXPECT_EQ(count("SELECT count(*) FROM dicomlake.study"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM dicomlake.run WHERE source = 'site-b'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM dicomlake.run WHERE source = 'site-a'"), 2);
    auto status = lab.dicomlake("status", site_a);
    EXPECT_NE(status.output.find("site-a"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("site-b"), std::string::npos) << status.output;
}

// Without pacs.name, the source is the PACS address without credentials.
TEST(Reconcile, TheDefaultSourceNameIsTheAddressWithoutCredentials) {
    Lab& lab = Lab::instance();
    generate_fleet(lab.dir() + "/reconcile4", "--seed 94 --scanners 1 --studies 1 --from 2025-03-31 --to 2025-03-31");
    lab.seed({lab.dir() + "/reconcile4/dicom"}, false);
    std::string db = lab.fresh_database("reconcile4");
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    ASSERT_EQ(lab.dicomlake("backfill --from 2025-03-31 --to 2025-03-31", env).exit_code, 0);
    std::string pacs = lab.pacs_url();  // http://127.0.0.1:PORT/dicom-web
    std::string expected = "dicomweb:" + pacs.substr(pacs.find("://") + 3);
    pqxx::connection c(db);
    pqxx::work tx(c);
    EXPECT_EQ(tx.exec1("SELECT source FROM dicomlake.study")[0].as<std::string>(), expected);
    EXPECT_EQ(tx.exec1("SELECT source FROM dicomlake.run WHERE command = 'backfill'")[0].as<std::string>(), expected);
}

}  // namespace
}  // namespace dicomlake::testing
