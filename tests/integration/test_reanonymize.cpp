// `dicomlake reanonymize`: after a profile change or a key rotation, exactly the listed studies
// are replaced (one version each), the others are untouched.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "deid/pseudonym.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

constexpr const char* kDefaults =
    "retain-device-identity,retain-patient-characteristics,retain-long-modified-dates,clean-descriptors,"
    "clean-structured-content";

std::map<std::string, std::string> rows_by_study(const std::string& db) {
    pqxx::connection c(db);
    pqxx::work tx(c);
    std::map<std::string, std::string> out;
    for (const auto& r : tx.exec("SELECT study_key, md5(string_agg(t::text, '|' ORDER BY series_key))"
                                 " FROM dicomlake.series t GROUP BY study_key"))
        out[r[0].as<std::string>()] = r[1].as<std::string>();
    return out;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    chmod(path.c_str(), 0600);
}

TEST(Reanonymize, ReplacesExactlyTheListedStudiesAfterAProfileChangeAndAKeyRotation) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("reanon");
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/reanon", "--seed 31 --scanners 4 --studies 6 --from 2025-11-03 --to 2025-11-04")));
    lab.seed({lab.dir() + "/reanon/dicom"}, false);
    const auto& studies = truth["studies"];
    ASSERT_GE(studies.size(), 4u);
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_DEID_OPTIONS", kDefaults}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    auto first = lab.dicomlake("backfill --from 2025-11-03 --to 2025-11-04", env);
    ASSERT_EQ(first.exit_code, 0) << first.output;
    auto before = rows_by_study(db);
    ASSERT_EQ(before.size(), studies.size());
    deid::Pseudonymizer key1(lab.key(), 1);

    // 1. The profile changes (institution identity now kept): two studies are re-done.
    std::string list = lab.dir() + "/reanon/list.txt";
    std::string uid0 = studies[0]["study_uid"].get<std::string>(), uid1 = studies[1]["study_uid"].get<std::string>();
    write_file(list, "# studies to re-do\n" + uid0 + "\n\n" + uid1 + "\n" + uid0 + "\n");
    auto changed = env;
    changed["DICOMLAKE_DEID_OPTIONS"] = std::string(kDefaults) + ",retain-institution-identity";
    auto r = lab.dicomlake("reanonymize --studies " + shell_quote(list), changed);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("2 replaced"), std::string::npos) << r.output;
    auto after = rows_by_study(db);
    EXPECT_EQ(after.size(), before.size());  // one version of each study
    std::set<std::string> redone = {key1.uid(uid0), key1.uid(uid1)};
    for (const auto& [key, digest] : before) {
        ASSERT_TRUE(after.count(key)) << key;
        if (redone.count(key))
            EXPECT_NE(after[key], digest) << "a listed study was not re-done";
        else
            EXPECT_EQ(after[key], digest) << "an unlisted study changed";
    }
    {
        pqxx::connection c(db);
        pqxx::work tx(c);
        auto n = tx.exec1("SELECT count(*) FROM dicomlake.study WHERE deid_options LIKE '%retain-institution-identity%'");
        EXPECT_EQ(n[0].as<long>(), 2);
        auto run = tx.exec1("SELECT command, outcome FROM dicomlake.run ORDER BY run_id DESC LIMIT 1");
        EXPECT_EQ(run[0].as<std::string>(), "reanonymize");
        EXPECT_EQ(run[1].as<std::string>(), "success");
    }

    // 2. The key is rotated: version 2, the old key kept in the keyring; one study by accession.
    std::string key2_file = lab.dir() + "/reanon/key2";
    auto k = run_shell(shell_quote(DICOMLAKE_BINARY) + " keygen > " + shell_quote(key2_file));
    ASSERT_EQ(k.exit_code, 0);
    chmod(key2_file.c_str(), 0600);
    std::string keyring = lab.dir() + "/reanon/previous-keys";
    write_file(keyring, "1 " + lab.key() + "\n");
    std::string accession_list = lab.dir() + "/reanon/accessions.txt";
    std::string accession = studies[2]["accession"].get<std::string>();
    write_file(accession_list, accession + "\nNO-SUCH-ACCESSION-42\n");
    auto rotated = env;
    rotated["DICOMLAKE_KEY_FILE"] = key2_file;
    rotated["DICOMLAKE_KEY_VERSION"] = "2";
    rotated["DICOMLAKE_PREVIOUS_KEYS_FILE"] = keyring;
    auto r2 = lab.dicomlake("reanonymize --by accession --studies " + shell_quote(accession_list), rotated);
    EXPECT_EQ(r2.exit_code, 3) << r2.output;  // one entry matched nothing
    EXPECT_NE(r2.output.find("entry 2 of the list"), std::string::npos) << r2.output;
    EXPECT_EQ(r2.output.find("NO-SUCH-ACCESSION-42"), std::string::npos) << "a list entry was logged";
    EXPECT_EQ(r2.output.find(accession), std::string::npos) << "an accession number was logged";

    std::string key2 = read_file(key2_file);
    while (!key2.empty() && key2.back() == '\n') key2.pop_back();
    deid::Pseudonymizer k2(key2, 2);
    std::string uid2 = studies[2]["study_uid"].get<std::string>();
    auto final_rows = rows_by_study(db);
    EXPECT_EQ(final_rows.size(), before.size());
    EXPECT_TRUE(final_rows.count(k2.uid(uid2))) << "the study is not under the new key";
    EXPECT_FALSE(final_rows.count(key1.uid(uid2))) << "the old-key version is still there";
    pqxx::connection c(db);
    pqxx::work tx(c);
    auto v = tx.exec_params1("SELECT key_version FROM dicomlake.study WHERE study_key = $1", k2.uid(uid2));
    EXPECT_EQ(v[0].as<int>(), 2);
    // Each study counted once in the utilization, not once per key.
    EXPECT_EQ(tx.exec1("SELECT coalesce(sum(studies), 0) FROM dicomlake.activity_weekhour")[0].as<size_t>(),
              studies.size());
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.activity_contribution")[0].as<size_t>(), studies.size());
    // Each scanner-week is its published days again, under the new key's cells.
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM (SELECT device_serial, date_trunc('week', day)::date AS week, sum(studies) AS s"
                       " FROM dicomlake.activity_day GROUP BY 1, 2) d FULL JOIN dicomlake.activity_week w"
                       " USING (device_serial, week) WHERE d.s IS DISTINCT FROM w.studies")[0].as<long>(), 0);
}

}  // namespace
}  // namespace dicomlake::testing
