// The Fleet suite's warehouse: a generated fleet loaded once (two backfills) for every
// TEST_F(Fleet, ...) of any file, so suites that read it do not load a fleet of their own.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "deid/policy.hpp"
#include "deid/pseudonym.hpp"
#include "util/dates.hpp"
#include "harness.hpp"

namespace dicomlake::testing {

inline constexpr const char* kFrom = "2025-06-02";
inline constexpr const char* kTo = "2025-06-06";

struct Snapshot {
    long studies = 0, series = 0, weeks = 0;
    std::string studies_md5, series_md5, weeks_md5;
    bool operator==(const Snapshot& o) const {
        return studies == o.studies && series == o.series && studies_md5 == o.studies_md5 &&
               series_md5 == o.series_md5 && weeks == o.weeks && weeks_md5 == o.weeks_md5;
    }
};

class Fleet : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto t0 = std::chrono::steady_clock::now();
        auto elapsed = [&t0] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        };
        Lab& lab = Lab::instance();
        std::fprintf(stderr, "[Fleet] lab up at %.1f s\n", elapsed());
        truth_ = nlohmann::json::parse(read_file(generate_fleet(
            lab.dir() + "/fleet",
            std::string("--seed 7 --scanners 8 --studies 200 --fail-studies 1 --from ") + kFrom + " --to " + kTo)));
        lab.seed({lab.dir() + "/fleet/dicom"}, false);
        std::fprintf(stderr, "[Fleet] generated and seeded at %.1f s\n", elapsed());
        migrate_ = lab.dicomlake("migrate");
        first_ = lab.dicomlake(std::string("backfill --from ") + kFrom + " --to " + kTo, env());
        before_ = snapshot();
        second_ = lab.dicomlake(std::string("backfill --from ") + kFrom + " --to " + kTo, env());
        after_ = snapshot();
        std::fprintf(stderr, "[Fleet] two backfills done at %.1f s\n", elapsed());
    }

    static Snapshot snapshot() {
        pqxx::connection c(Lab::instance().db_url());
        pqxx::work tx(c);
        Snapshot s;
        auto r = tx.exec1(
            "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY study_key), '')) FROM dicomlake.study t");
        s.studies = r[0].as<long>();
        s.studies_md5 = r[1].as<std::string>();
        r = tx.exec1(
            "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY study_key, series_key), ''))"
            " FROM dicomlake.series t");
        s.series = r[0].as<long>();
        s.series_md5 = r[1].as<std::string>();
        r = tx.exec1(
            "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY device_serial, week), ''))"
            " FROM dicomlake.v_scanner_week t");
        s.weeks = r[0].as<long>();
        s.weeks_md5 = r[1].as<std::string>();
        return s;
    }

    // The default profile, plus institution identity (the fleet's Latin-1 institution names
    // check the character-set path).
    static std::map<std::string, std::string> env() {
        return {{"DICOMLAKE_DEID_OPTIONS",
                 "retain-device-identity,retain-patient-characteristics,retain-long-modified-dates,"
                 "clean-descriptors,clean-structured-content,retain-institution-identity"}};
    }

    // The study date as stored: shifted by the patient's keyed offset.
    static std::string shifted(const nlohmann::json& study, const std::string& iso) {
        deid::Pseudonymizer p(Lab::instance().key(), 1);
        deid::Policy policy(p, deid::ProfileOptions::defaults());
        return add_days(iso, policy.date_offset_days(study["patient_id"].get<std::string>(),
                                                     study["issuer_of_patient_id"].get<std::string>()));
    }

    static std::string pseudo(const std::string& uid) {
        deid::Pseudonymizer p(Lab::instance().key(), 1);
        return p.uid(uid);
    }

    static pqxx::result query(const std::string& sql) {
        pqxx::connection c(Lab::instance().db_url());
        pqxx::work tx(c);
        return tx.exec(sql);
    }

    static inline nlohmann::json truth_;
    static inline CommandResult migrate_, first_, second_;
    static inline Snapshot before_, after_;
};

}  // namespace dicomlake::testing
